/**
 * The compacted half of the embedding cache (embedding-cache.ts): one file per model holding
 * every vector once, keys sorted, so that a lookup is a binary search on disk and what stays in
 * memory is one key in FENCE_EVERY (about 0.15 bytes per vector), never the keys themselves.
 *
 * Layout: a 64-byte header (`lacuna-embeddings-v1 <dimensions> <count>`), then `count` sorted
 * 32-byte keys, then `count` vectors of float32 in the same order.
 *
 * `compactInto` writes a new store from the old one and a set of writer files (append logs of
 * key + vector records, see embedding-cache.ts) to a temporary name, then renames it into place:
 * a reader holding the old store open keeps reading the old file, and a new reader sees the whole
 * new one, never a part.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

export const KEY_BYTES = 32;
const HEADER_BYTES = 64;
const FORMAT = 'lacuna-embeddings-v1';
/** Every FENCE_EVERY-th key is held in memory; a lookup then reads one block of that many keys. */
export const FENCE_EVERY = 256;

function compareKeys(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

export class EmbeddingStore {
  private constructor(
    private readonly fd: number,
    readonly dimensions: number,
    readonly count: number,
    /** Keys at 0, FENCE_EVERY, 2·FENCE_EVERY, …, as latin1 strings (compared as bytes). */
    private readonly fences: Buffer[],
  ) {}

  /** Opens the store at `path`; undefined when there is none or it is not a whole store for these dimensions. */
  static open(path: string, dimensions: number): EmbeddingStore | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    const header = Buffer.alloc(HEADER_BYTES);
    readSync(fd, header, 0, HEADER_BYTES, 0);
    const [format, dims, count] = header.toString('utf8').replace(/\0+$/, '').split(' ');
    const total = Number(count);
    if (format !== FORMAT || Number(dims) !== dimensions || !Number.isInteger(total) || fstatSync(fd).size !== HEADER_BYTES + total * (KEY_BYTES + dimensions * 4)) {
      closeSync(fd);
      return undefined;
    }
    const fences: Buffer[] = [];
    for (let index = 0; index < total; index += FENCE_EVERY) {
      const key = Buffer.alloc(KEY_BYTES);
      readSync(fd, key, 0, KEY_BYTES, HEADER_BYTES + index * KEY_BYTES);
      fences.push(key);
    }
    return new EmbeddingStore(fd, dimensions, total, fences);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The index of `key` in the store, or -1. */
  indexOf(key: Buffer): number {
    // The last fence not after the key opens the only block that can hold it.
    let low = 0;
    let high = this.fences.length - 1;
    if (high < 0 || compareKeys(key, this.fences[0]) < 0) return -1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (compareKeys(this.fences[middle], key) <= 0) low = middle;
      else high = middle - 1;
    }
    const first = low * FENCE_EVERY;
    const size = Math.min(FENCE_EVERY, this.count - first);
    const block = Buffer.alloc(size * KEY_BYTES);
    readSync(this.fd, block, 0, block.length, HEADER_BYTES + first * KEY_BYTES);
    let from = 0;
    let to = size - 1;
    while (from <= to) {
      const middle = (from + to) >> 1;
      const order = block.compare(key, 0, KEY_BYTES, middle * KEY_BYTES, (middle + 1) * KEY_BYTES);
      if (order === 0) return first + middle;
      if (order < 0) from = middle + 1;
      else to = middle - 1;
    }
    return -1;
  }

  /** The key at `index` (for merging in order). */
  keysAt(index: number, count: number): Buffer {
    const keys = Buffer.alloc(count * KEY_BYTES);
    readSync(this.fd, keys, 0, keys.length, HEADER_BYTES + index * KEY_BYTES);
    return keys;
  }

  vectorAt(index: number): Float32Array {
    const vector = new Float32Array(this.dimensions);
    readSync(this.fd, new Uint8Array(vector.buffer), 0, vector.byteLength, this.vectorOffset(index));
    return vector;
  }

  private vectorOffset(index: number): number {
    return HEADER_BYTES + this.count * KEY_BYTES + index * this.dimensions * 4;
  }

  /** Raw bytes of the vector at `index`. */
  vectorBytesAt(index: number): Buffer {
    const bytes = Buffer.alloc(this.dimensions * 4);
    readSync(this.fd, bytes, 0, bytes.length, this.vectorOffset(index));
    return bytes;
  }
}

/** A record of a writer file: its key, and where its vector lies. */
export interface WriterRecord {
  key: Buffer;
  fd: number;
  offset: number;
}

/**
 * Writes a new store at `path` holding the old store's vectors and the writer records' (the
 * first record of a key wins; a key the old store holds keeps the store's vector), atomically.
 * Memory: the writer records (what was not compacted yet) and one block of the old store.
 */
export function compactInto(path: string, dimensions: number, old: EmbeddingStore | undefined, records: WriterRecord[]): number {
  const sorted = records.slice().sort((a, b) => compareKeys(a.key, b.key));
  const fresh: WriterRecord[] = [];
  for (const record of sorted) if (fresh.length === 0 || !fresh[fresh.length - 1].key.equals(record.key)) fresh.push(record);
  // First pass: how many keys the merge holds, so the vectors section can be placed.
  const unique = fresh.filter((record) => !old || old.indexOf(record.key) < 0);
  const count = (old?.count ?? 0) + unique.length;
  const temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(temporary, 'wx');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(`${FORMAT} ${dimensions} ${count}`);
    writeSync(fd, header, 0, HEADER_BYTES, 0);
    const keyAt = (index: number) => HEADER_BYTES + index * KEY_BYTES;
    const vectorAt = (index: number) => HEADER_BYTES + count * KEY_BYTES + index * dimensions * 4;
    const vector = Buffer.alloc(dimensions * 4);
    let written = 0;
    let next = 0;
    const writeFresh = (record: WriterRecord) => {
      readSync(record.fd, vector, 0, vector.length, record.offset);
      writeSync(fd, record.key, 0, KEY_BYTES, keyAt(written));
      writeSync(fd, vector, 0, vector.length, vectorAt(written));
      written++;
    };
    // Second pass: merge the old store's keys (block by block) with the fresh ones, both sorted.
    for (let from = 0; old && from < old.count; from += FENCE_EVERY) {
      const size = Math.min(FENCE_EVERY, old.count - from);
      const keys = old.keysAt(from, size);
      for (let at = 0; at < size; at++) {
        const key = keys.subarray(at * KEY_BYTES, (at + 1) * KEY_BYTES);
        while (next < unique.length && compareKeys(unique[next].key, key) < 0) writeFresh(unique[next++]);
        writeSync(fd, key, 0, KEY_BYTES, keyAt(written));
        writeSync(fd, old.vectorBytesAt(from + at), 0, dimensions * 4, vectorAt(written));
        written++;
      }
    }
    while (next < unique.length) writeFresh(unique[next++]);
    if (written !== count) throw new Error(`embedding store: wrote ${written} records, expected ${count}`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  return count;
}

/** Size of a file, or 0 when it is gone. */
export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
