/**
 * Any feature-extraction model that transformers.js (@huggingface/transformers)
 * can run: `hf:<repo>` from the Hugging Face hub (downloaded once into the
 * cache directory, where the network allows), or a local directory laid out
 * as on the hub (config.json, tokenizer files, onnx/model.onnx). Sentence
 * vectors are the mean of the token vectors over the attention mask,
 * normalised to unit length.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../../corpora/errors.js';
import type { Embedder } from './embedder.js';

const BATCH = 32;

type Extractor = (texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<{ dims: number[]; data: Float32Array }>;

export class TransformersEmbedder implements Embedder {
  private constructor(
    readonly id: string,
    readonly dimensions: number,
    private readonly extractor: Extractor,
  ) {}

  /** `hf:<repo>` or a directory. Fails with one line naming the model when it cannot be loaded. */
  static async load(spec: string, cacheDir: string): Promise<TransformersEmbedder> {
    const transformers = await import('@huggingface/transformers');
    const { env, pipeline } = transformers;
    env.cacheDir = join(cacheDir, 'hub');
    let model: string;
    let id: string;
    if (spec.startsWith('hf:')) {
      model = spec.slice(3);
      id = `hf:${model}`;
      env.allowRemoteModels = true;
      env.allowLocalModels = false;
    } else {
      const dir = resolve(spec);
      const isDir = await stat(dir).then((info) => info.isDirectory(), () => false);
      if (!isDir) throw new UsageError(`model '${spec}' is neither hf:<repo> nor a directory`);
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = dirname(dir) + '/';
      model = basename(dir);
      id = `dir:${dir}`;
    }
    let extractor: Extractor;
    try {
      extractor = (await pipeline('feature-extraction', model, { dtype: 'fp32', device: 'cpu' })) as unknown as Extractor;
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      const where = spec.startsWith('hf:') ? 'not in the cache and the hub is unreachable, or not a feature-extraction model' : 'the directory does not hold a loadable model';
      throw new UsageError(`cannot load model '${spec}': ${where} (${reason})`);
    }
    const probe = await extractor(['probe'], { pooling: 'mean', normalize: true });
    return new TransformersEmbedder(id, probe.dims[probe.dims.length - 1], extractor);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const batch = texts.slice(start, start + BATCH);
      const output = await this.extractor([...batch], { pooling: 'mean', normalize: true });
      for (let row = 0; row < batch.length; row++) vectors.push(Float32Array.from(output.data.subarray(row * this.dimensions, (row + 1) * this.dimensions)));
    }
    return vectors;
  }
}
