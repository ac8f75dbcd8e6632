/** The transformers.js embedder, on a tiny ONNX model the test writes itself (no network). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dot } from '../indexes/embedders/embedder.js';
import { TransformersEmbedder } from '../indexes/embedders/transformers.js';
import { ALL_DETECTORS, runCli, tempDir } from './helpers.js';
import { TINY_DIMENSIONS, TINY_VOCABULARY, tinyVector, writeTinyModel } from './tiny-onnx-model.js';

/** Mean of the words' vectors, normalised: what mean pooling over the tiny model must give. */
function expected(text: string): number[] {
  const ids = text.toLowerCase().split(/\s+/).map((word) => Math.max(1, TINY_VOCABULARY.indexOf(word)));
  const sum = new Array(TINY_DIMENSIONS).fill(0);
  for (const id of ids) tinyVector(id).forEach((value, d) => (sum[d] += value / ids.length));
  const norm = Math.hypot(...sum);
  return sum.map((value) => value / norm);
}

describe('transformers.js embedder', () => {
  it('loads a local model directory and mean-pools and normalises its token vectors', async () => {
    const dir = join(tempDir(), 'tiny-model');
    writeTinyModel(dir);
    const embedder = await TransformersEmbedder.load(dir, tempDir());
    expect(embedder.dimensions).toBe(TINY_DIMENSIONS);
    expect(embedder.id).toBe(`dir:${dir}`);
    const texts = ['light speed observer', 'The candle flame is hot', 'every observer', 'unknown words here'];
    const vectors = await embedder.embed(texts);
    texts.forEach((text, index) => {
      expect(dot(vectors[index], vectors[index])).toBeCloseTo(1, 5);
      Array.from(vectors[index]).forEach((value, d) => expect(value).toBeCloseTo(expected(text)[d], 4));
    });
  });

  it('fails with one line naming the model when it cannot be loaded', async () => {
    const missing = join(tempDir(), 'no-model-here');
    await expect(TransformersEmbedder.load(missing, tempDir())).rejects.toThrow(/model '.*no-model-here' is neither hf:<repo> nor a directory/);
    const empty = tempDir();
    await expect(TransformersEmbedder.load(empty, tempDir())).rejects.toThrow(/cannot load model '.*': the directory does not hold a loadable model/);
  });

  it('serves as the encoder of lacuna mask with --model <dir>, and says in one line when a hub model cannot be had', async () => {
    const dir = join(tempDir(), 'tiny-model');
    writeTinyModel(dir);
    const input = join(tempDir(), 'in.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(input, JSON.stringify({ id: 'a', text: 'Every observer measures the same light speed.' }) + '\n');
    const out = join(tempDir(), 'out');
    const result = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--model', dir, ...ALL_DETECTORS]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { readManifest } = await import('./helpers.js');
    expect(readManifest(out).embeddingModel).toBe(`dir:${dir}`);
    const offline = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', join(tempDir(), 'out2'), '--quiet', '--model', 'hf:lacuna-tests/no-such-model', ...ALL_DETECTORS], { env: { HF_HUB_OFFLINE: '1' } });
    expect(offline.code).toBe(2);
    expect(offline.stderr.trim().split('\n')).toHaveLength(1);
    expect(offline.stderr).toMatch(/cannot load model 'hf:lacuna-tests\/no-such-model': not in the cache and the hub is unreachable/);
  });
});
