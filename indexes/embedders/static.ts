/**
 * A static embedder distilled from USE lite, as Model2Vec distils static
 * token vectors from a sentence transformer: each of the model's 8,000
 * sentencepiece tokens is embedded alone once (about six seconds here), and a
 * text's vector is the weighted sum of its tokens' vectors, normalised.
 * Frequent tokens weigh less (SIF weighting, a / (a + p(token)), from the
 * tokenizer's own unigram probabilities), the mean token vector is removed
 * so that what all tokens share does not dominate, and the vectors are
 * projected on their first 128 principal components (as Model2Vec does), which
 * makes summing them four times cheaper. A word's vector is cached.
 *
 * Hundreds of times faster than the encoder and much coarser: it is the
 * semantic detector's screen and the verification index's first pass, never
 * the final judge.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isEnvironmentError } from '../../corpora/user-file.js';
import { safeName } from '../cache-dir.js';
import { normalize, type Embedder } from './embedder.js';
import { USE_LITE_ID, type UseLiteEmbedder } from './use-lite.js';

const SIF_A = 1e-3;
export const STATIC_DIMENSIONS = 128;
const POWER_ITERATIONS = 20;
/** The first six ids are reserved (unknown, <s>, </s>, extra ids). */
const FIRST_REAL_TOKEN = 6;
const WORD_CACHE_LIMIT = 200_000;
const FORMAT = 'lacuna-static-v2';

export class StaticEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly words = new Map<string, Float32Array>();

  private constructor(
    private readonly base: UseLiteEmbedder,
    /** Token vectors, weighted, centred and projected, row-major: vocabulary × STATIC_DIMENSIONS. */
    private readonly table: Float32Array,
  ) {
    this.id = `static${STATIC_DIMENSIONS}:${base.id}`;
    this.dimensions = STATIC_DIMENSIONS;
  }

  private static tablePath(cacheDir: string): string {
    return join(cacheDir, `${safeName(`static${STATIC_DIMENSIONS}:${USE_LITE_ID}`)}.f32`);
  }

  static async isDistilled(cacheDir: string): Promise<boolean> {
    return stat(StaticEmbedder.tablePath(cacheDir)).then(
      () => true,
      () => false,
    );
  }

  /** Loads the distilled table from `cacheDir`, distilling and saving it the first time. */
  static async distil(base: UseLiteEmbedder, cacheDir: string): Promise<StaticEmbedder> {
    const path = StaticEmbedder.tablePath(cacheDir);
    const size = base.vocabulary.length * STATIC_DIMENSIONS;
    const expected = `${FORMAT} ${base.vocabulary.length} ${STATIC_DIMENSIONS}`;
    try {
      const bytes = await readFile(path);
      const header = bytes.subarray(0, 64).toString('utf8').replace(/\0+$/, '');
      if (header === expected && bytes.length === 64 + size * 4) {
        return new StaticEmbedder(base, new Float32Array(bytes.buffer.slice(bytes.byteOffset + 64, bytes.byteOffset + bytes.length)));
      }
    } catch {
      // Not distilled yet (or unreadable): distil below.
    }
    const table = await StaticEmbedder.computeTable(base);
    const header = Buffer.alloc(64);
    header.write(expected);
    const temporary = `${path}.tmp-${process.pid}`;
    try {
      await mkdir(cacheDir, { recursive: true });
      await writeFile(temporary, Buffer.concat([header, Buffer.from(table.buffer, table.byteOffset, table.byteLength)]));
      await rename(temporary, path);
    } catch (error) {
      // A cache that cannot be written is no cache (a full or read-only disk): the table is distilled
      // again by the next process, and this one goes on with it.
      if (!isEnvironmentError(error)) throw error;
      await rm(temporary, { force: true }).catch(() => undefined);
    }
    return new StaticEmbedder(base, table);
  }

  private static async computeTable(base: UseLiteEmbedder): Promise<Float32Array> {
    const vocabulary = base.vocabulary;
    const dimensions = base.dimensions;
    const ids: number[][] = [];
    for (let id = FIRST_REAL_TOKEN; id < vocabulary.length; id++) ids.push([id]);
    const vectors = await base.embedTokens(ids);
    const mean = new Float32Array(dimensions);
    for (const vector of vectors) for (let d = 0; d < dimensions; d++) mean[d] += vector[d] / vectors.length;
    const centred = vectors.map((vector, index) => {
      const weight = SIF_A / (SIF_A + Math.exp(vocabulary[index + FIRST_REAL_TOKEN][1]));
      return vector.map((value, d) => (value - mean[d]) * weight);
    });
    const components = principalComponents(centred, STATIC_DIMENSIONS);
    const table = new Float32Array(vocabulary.length * STATIC_DIMENSIONS);
    centred.forEach((vector, index) => {
      const row = (index + FIRST_REAL_TOKEN) * STATIC_DIMENSIONS;
      for (let k = 0; k < STATIC_DIMENSIONS; k++) table[row + k] = dotRows(vector, components, k * dimensions);
    });
    return table;
  }

  /** The vector of one whitespace-separated word, cached: a corpus has far fewer distinct words than words. */
  private wordVector(word: string): Float32Array {
    let vector = this.words.get(word);
    if (!vector) {
      vector = new Float32Array(STATIC_DIMENSIONS);
      for (const id of this.base.tokenize(word)) {
        const row = id * STATIC_DIMENSIONS;
        for (let k = 0; k < STATIC_DIMENSIONS; k++) vector[k] += this.table[row + k];
      }
      if (this.words.size >= WORD_CACHE_LIMIT) this.words.clear();
      this.words.set(word, vector);
    }
    return vector;
  }

  /** The static vector of a text, synchronously. */
  vector(text: string): Float32Array {
    const sum = new Float32Array(STATIC_DIMENSIONS);
    for (const word of text.split(/\s+/)) {
      if (!word) continue;
      const vector = this.wordVector(word);
      for (let k = 0; k < STATIC_DIMENSIONS; k++) sum[k] += vector[k];
    }
    return normalize(sum);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.vector(text));
  }
}

function dotRows(vector: Float32Array, matrix: Float64Array, offset: number): number {
  let sum = 0;
  for (let d = 0; d < vector.length; d++) sum += vector[d] * matrix[offset + d];
  return sum;
}

/**
 * The top `count` principal directions of the rows, by orthogonal (block
 * power) iteration on their covariance: count × dimensions, row-major. Done
 * once, at distillation; deterministic because it starts from a fixed basis.
 */
function principalComponents(rows: Float32Array[], count: number): Float64Array {
  const dimensions = rows[0].length;
  const covariance = new Float64Array(dimensions * dimensions);
  for (const row of rows) {
    for (let i = 0; i < dimensions; i++) {
      const value = row[i];
      if (value === 0) continue;
      const offset = i * dimensions;
      for (let j = i; j < dimensions; j++) covariance[offset + j] += value * row[j];
    }
  }
  for (let i = 0; i < dimensions; i++) for (let j = 0; j < i; j++) covariance[i * dimensions + j] = covariance[j * dimensions + i];
  let basis = new Float64Array(count * dimensions);
  for (let k = 0; k < count; k++) basis[k * dimensions + ((k * 7) % dimensions)] = 1;
  for (let round = 0; round < POWER_ITERATIONS; round++) {
    const next = new Float64Array(count * dimensions);
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < dimensions; i++) {
        let sum = 0;
        const offset = i * dimensions;
        for (let j = 0; j < dimensions; j++) sum += covariance[offset + j] * basis[k * dimensions + j];
        next[k * dimensions + i] = sum;
      }
    }
    // Gram–Schmidt keeps the directions orthonormal.
    for (let k = 0; k < count; k++) {
      for (let previous = 0; previous < k; previous++) {
        let projection = 0;
        for (let d = 0; d < dimensions; d++) projection += next[k * dimensions + d] * next[previous * dimensions + d];
        for (let d = 0; d < dimensions; d++) next[k * dimensions + d] -= projection * next[previous * dimensions + d];
      }
      let norm = 0;
      for (let d = 0; d < dimensions; d++) norm += next[k * dimensions + d] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dimensions; d++) next[k * dimensions + d] /= norm;
    }
    basis = next;
  }
  return basis;
}
