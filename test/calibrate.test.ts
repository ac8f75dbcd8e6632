/**
 * `lacuna calibrate` end to end on the bundled sample (no ../shared needed):
 * thresholds and the background centre are written into a copy of the physics
 * pack, its comments kept, and the budgets hold. Also the centre's encoding.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { centred, decodeCentre, encodeCentre, meanVector } from '../indexes/centre.js';
import { dot } from '../indexes/embedders/embedder.js';
import { jsonl, ROOT, runCli, tempDir } from './helpers.js';

const PACK = join(ROOT, 'maskers', 'packs', 'physics-post-1900.yaml');
const LABELLED = join(ROOT, 'test', 'data', 'physics-post-1900.paraphrases.tsv');

/** The sample's pre-1900 records: background text with none of the target in it. */
function preCutoffSample(dir: string): string {
  const records = readFileSync(join(ROOT, 'samples', 'physics-mini.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; text: string; meta: { era: string } })
    .filter((record) => record.meta.era === 'pre-1900');
  const path = join(dir, 'background.jsonl');
  writeFileSync(path, jsonl(records));
  return path;
}

describe('lacuna calibrate', () => {
  it('writes per-concept thresholds and the background centre into the pack, keeping its comments, within the budgets', async () => {
    const dir = tempDir();
    const pack = join(dir, 'pack.yaml');
    copyFileSync(PACK, pack);
    const background = preCutoffSample(dir);
    const run = await runCli(['calibrate', '--pack', pack, '--labelled', LABELLED, '--background', background, '--background-budget', '0.1', '--write']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^embeddings centred on the background mean \(use-lite@/);
    // Every concept is reported with what set its threshold.
    for (const id of ['special-relativity', 'condensed-matter']) expect(run.stdout).toMatch(new RegExp(`  ${id}: threshold [0-9.]+ \\(`));
    const [, flagged, total] = /background: (\d+)\/(\d+)/.exec(run.stdout)!.map(Number);
    expect(total).toBeGreaterThan(20);
    expect(flagged).toBeLessThanOrEqual(Math.floor(0.1 * total));
    const [, negativesFlagged] = /pre-plain: (\d+)\/20/.exec(run.stdout)!.map(Number);
    expect(negativesFlagged).toBeLessThanOrEqual(1); // 5% of 20 labelled negatives

    const written = readFileSync(pack, 'utf8');
    expect(written).toContain('# Look-alikes that must survive anywhere in the pack.');
    const parsed = parse(written) as { semantic: { centre: { model: string; vector: string } }; concepts: { id: string; threshold: number }[] };
    expect(parsed.semantic.centre.model).toMatch(/^use-lite@/);
    const centre = decodeCentre(parsed.semantic.centre.vector);
    expect(centre).toBeInstanceOf(Float32Array);
    expect((centre as Float32Array).length).toBe(512);
    const reported = Object.fromEntries([...run.stdout.matchAll(/ {2}([a-z-]+): threshold ([0-9.]+)/g)].map((match) => [match[1], Number(match[2])]));
    for (const concept of parsed.concepts) expect(concept.threshold).toBe(reported[concept.id]);
    expect((await runCli(['packs', 'validate', pack])).code).toBe(0);

    // Without a centre the thresholds belong to the raw space, and the centre goes with them.
    const raw = await runCli(['calibrate', '--pack', pack, '--labelled', LABELLED, '--background', background, '--background-budget', '0.1', '--no-centre', '--write']);
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stdout).toMatch(/^raw embeddings \(no centre\)/);
    const rawPack = parse(readFileSync(pack, 'utf8')) as { semantic: Record<string, unknown>; concepts: { threshold: number }[] };
    expect(rawPack.semantic.centre).toBeUndefined();
    expect(rawPack.concepts.map((concept) => concept.threshold)).not.toEqual(parsed.concepts.map((concept) => concept.threshold));
  });

  it('refuses a pack whose centre is not a vector, in one line naming the field', async () => {
    const dir = tempDir();
    const pack = join(dir, 'pack.yaml');
    const document = parseDocument(readFileSync(PACK, 'utf8'));
    document.setIn(['semantic', 'centre'], { model: 'use-lite@0.2.0', vector: 'AAA' });
    writeFileSync(pack, document.toString());
    const result = await runCli(['packs', 'validate', pack]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/semantic\.centre\.vector: not a centre vector: 2 bytes is not a whole number of float32 values/);
  });
});

describe('embedding centre', () => {
  it('round-trips through base64 exactly and moves vectors off the common direction', () => {
    const vectors = [new Float32Array([0.8, 0.6, 0]), new Float32Array([0.8, 0, 0.6])];
    const mean = meanVector(vectors, 3);
    expect(Array.from(mean)).toEqual([Math.fround(0.8), Math.fround(0.3), Math.fround(0.3)]);
    expect(decodeCentre(encodeCentre(mean))).toEqual(mean);
    // Raw, the two share most of their length; centred, they point apart.
    expect(dot(vectors[0], vectors[1])).toBeCloseTo(0.64, 5);
    const [a, b] = vectors.map((vector) => centred(vector, mean));
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, b)).toBeCloseTo(-1, 5);
    expect(decodeCentre('not base64!')).toBe('not base64');
    expect(decodeCentre(Buffer.from(new Float32Array([NaN]).buffer).toString('base64'))).toBe('value 0 is not a finite number');
  });
});
