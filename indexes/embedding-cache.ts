/**
 * A disk cache of embeddings keyed by model id and normalised text, shared by
 * detection and verification (and by every worker and run on the machine),
 * so a re-run or a verify does not embed unchanged text again.
 *
 * Files: `<model>.vectors` (written by earlier versions) and `<model>.<writer>.vectors`, one per
 * writer (a worker thread of a run). Each holds fixed-size records: a 32-byte sha256 of the
 * normalised text, then the vector as float32. A file has a single writer, so appends from
 * several workers or machines on a shared filesystem can never interleave and shift the records
 * after them; a torn tail (a killed run) is the only damage a file can take, and is ignored.
 *
 * Memory: on first use the files are scanned for their keys only; a vector is read from disk
 * when asked for (and kept for this cache's life once read). What stays in memory for the whole
 * cache is a key and a file position per vector (on the order of a hundred bytes), not the vectors
 * themselves (USE lite's are 2 KB each).
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { safeName } from './cache-dir.js';
import type { Embedder } from './embedders/embedder.js';

const KEY_BYTES = 32;
/** Keys are scanned in slices of this many records, so the scan never holds a whole file. */
const SCAN_RECORDS = 4096;

export function normaliseForCache(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

interface Location {
  file: number;
  offset: number;
}

export class EmbeddingCache {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly recordBytes: number;
  /** This cache's own file: created on its first append, written by it alone. */
  private readonly ownFile: string;
  private readonly files: string[] = [];
  private readonly located = new Map<string, Location>();
  private readonly vectors = new Map<string, Float32Array>();
  private scanned = false;
  hits = 0;
  misses = 0;

  /** The id of the model behind the cache. */
  get modelId(): string {
    return this.embedder.id;
  }

  get dimensions(): number {
    return this.embedder.dimensions;
  }

  /** Vectors held in memory (read or made by this cache), against those only located on disk. */
  get resident(): { vectors: number; located: number } {
    return { vectors: this.vectors.size, located: this.located.size };
  }

  constructor(
    dir: string,
    private readonly embedder: Embedder,
  ) {
    mkdirSync(dir, { recursive: true });
    this.dir = dir;
    this.prefix = safeName(embedder.id);
    this.recordBytes = KEY_BYTES + embedder.dimensions * 4;
    this.ownFile = join(dir, `${this.prefix}.${process.pid}-${randomBytes(6).toString('hex')}.vectors`);
  }

  private key(text: string): string {
    return createHash('sha256').update(normaliseForCache(text)).digest().toString('latin1');
  }

  /** Finds every record of every file of this model, keeping only keys and positions. */
  private scan(): void {
    if (this.scanned) return;
    this.scanned = true;
    const names = readdirSync(this.dir)
      .filter((name) => name === `${this.prefix}.vectors` || (name.startsWith(`${this.prefix}.`) && name.endsWith('.vectors')))
      .sort();
    const slice = Buffer.alloc(SCAN_RECORDS * this.recordBytes);
    for (const name of names) {
      const path = join(this.dir, name);
      const complete = statSync(path).size - (statSync(path).size % this.recordBytes);
      const file = this.files.push(path) - 1;
      const fd = openSync(path, 'r');
      try {
        for (let position = 0; position < complete; position += slice.length) {
          const length = readSync(fd, slice, 0, Math.min(slice.length, complete - position), position);
          for (let at = 0; at + this.recordBytes <= length; at += this.recordBytes) {
            const key = slice.toString('latin1', at, at + KEY_BYTES);
            if (!this.located.has(key)) this.located.set(key, { file, offset: position + at + KEY_BYTES });
          }
        }
      } finally {
        closeSync(fd);
      }
    }
  }

  /** The cached vector for a key, read from disk on first use; undefined when there is none. */
  private cached(key: string): Float32Array | undefined {
    const held = this.vectors.get(key);
    if (held) return held;
    const where = this.located.get(key);
    if (!where) return undefined;
    const vector = new Float32Array(this.embedder.dimensions);
    const fd = openSync(this.files[where.file], 'r');
    try {
      readSync(fd, new Uint8Array(vector.buffer), 0, vector.byteLength, where.offset);
    } finally {
      closeSync(fd);
    }
    this.vectors.set(key, vector);
    return vector;
  }

  /** Vectors for the texts, embedding only those not seen before. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.scan();
    const keys = texts.map((text) => this.key(text));
    const missing: number[] = [];
    const wanted = new Set<string>();
    keys.forEach((key, index) => {
      if (wanted.has(key) || this.cached(key)) return;
      wanted.add(key);
      missing.push(index);
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
      appendFileSync(this.ownFile, records);
    }
    return keys.map((key) => this.vectors.get(key)!);
  }
}
