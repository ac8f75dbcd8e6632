/**
 * A disk cache of embeddings keyed by model id and normalised text, shared by
 * detection and verification (and by every worker and run on the machine),
 * so a re-run or a verify does not embed unchanged text again.
 *
 * One append-only file per model: fixed-size records of a 32-byte sha256 of
 * the normalised text followed by the vector as float32. Appends are single
 * writes of whole records; a torn tail (a killed run) is ignored on load.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeName } from './cache-dir.js';
import type { Embedder } from './embedders/embedder.js';

const KEY_BYTES = 32;

export function normaliseForCache(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly path: string;
  private readonly recordBytes: number;
  private loaded = false;
  hits = 0;
  misses = 0;

  /** The id of the model behind the cache. */
  get modelId(): string {
    return this.embedder.id;
  }

  get dimensions(): number {
    return this.embedder.dimensions;
  }

  constructor(
    dir: string,
    private readonly embedder: Embedder,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${safeName(embedder.id)}.vectors`);
    this.recordBytes = KEY_BYTES + embedder.dimensions * 4;
  }

  private key(text: string): string {
    return createHash('sha256').update(normaliseForCache(text)).digest().toString('latin1');
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch {
      return;
    }
    const complete = bytes.length - (bytes.length % this.recordBytes);
    for (let offset = 0; offset < complete; offset += this.recordBytes) {
      const key = bytes.toString('latin1', offset, offset + KEY_BYTES);
      const vector = new Float32Array(this.embedder.dimensions);
      Buffer.from(vector.buffer).set(bytes.subarray(offset + KEY_BYTES, offset + this.recordBytes));
      this.vectors.set(key, vector);
    }
  }

  /** Vectors for the texts, embedding only those not seen before. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.load();
    const keys = texts.map((text) => this.key(text));
    const missing: number[] = [];
    keys.forEach((key, index) => {
      if (!this.vectors.has(key) && !missing.some((other) => keys[other] === key)) missing.push(index);
    });
    this.hits += texts.length - missing.length;
    this.misses += missing.length;
    if (missing.length > 0) {
      const fresh = await this.embedder.embed(missing.map((index) => texts[index]));
      const records = Buffer.alloc(missing.length * this.recordBytes);
      missing.forEach((index, at) => {
        this.vectors.set(keys[index], fresh[at]);
        records.write(keys[index], at * this.recordBytes, 'latin1');
        Buffer.from(fresh[at].buffer, fresh[at].byteOffset, fresh[at].byteLength).copy(records, at * this.recordBytes + KEY_BYTES);
      });
      appendFileSync(this.path, records);
    }
    return keys.map((key) => this.vectors.get(key)!);
  }
}
