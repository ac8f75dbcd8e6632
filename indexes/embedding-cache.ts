/**
 * A disk cache of embeddings keyed by model id and normalised text, shared by
 * detection and verification (and by every worker and run on the machine),
 * so a re-run or a verify does not embed unchanged text again.
 *
 * Files, per model:
 * - writer files, `<model>.w-<host>-<pid>-<random>.vectors`, one per cache object (a worker
 *   thread of a run): fixed-size records, a 32-byte sha256 of the normalised text then the vector
 *   as float32, appended by that writer alone. Appends from several workers or machines on a shared
 *   filesystem can never interleave and shift the records after them; a torn tail (a killed run)
 *   is the only damage a file can take, and is ignored. (`<model>.vectors` and
 *   `<model>.<pid>-<random>.vectors`, from earlier versions, are read the same way.)
 * - the store, `<model>.store`: every vector once, keys sorted (embedding-store.ts).
 *
 * Compaction: when a cache is first used, the writer files whose writer is gone (this host, a pid
 * no longer running) are merged into the store once they hold a quarter of its bytes or number
 * more than MAX_WRITER_FILES, under a lock directory, and then deleted. A writer on another
 * host, or still running, is never touched. So the store grows like a log-structured merge tree:
 * each byte is rewritten a bounded number of times.
 *
 * Memory: the keys of writer files not yet compacted (a key and a position each), one key in 256
 * of the store, and at most MAX_RESIDENT_VECTORS vectors: never the whole cache.
 *
 * Disk: a cache is a cache, so it never stops a run. Each model's files (store and writers) may
 * hold `maxBytes` (LACUNA_EMBEDDING_CACHE_MAX_GB, default 20 GB): a writer that would take them past
 * it, or whose append fails for want of space, quota or permission (a full or read-only disk),
 * stops writing and only reads from then on, and says so once (`writesStopped`). Every vector is
 * about 2 kB with the default encoder, so a semantic run over 100 GB would otherwise write about
 * a terabyte beside its output. The limit is checked against what was on disk when the cache was
 * opened plus what this writer added: writers running at once may each take it that far.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../corpora/errors.js';
import { isAlive } from '../corpora/process-alive.js';
import { errnoMessage, isEnvironmentError } from '../corpora/user-file.js';
import { safeName } from './cache-dir.js';
import type { Embedder } from './embedders/embedder.js';
import { compactInto, EmbeddingStore, KEY_BYTES, sizeOf, type WriterRecord } from './embedding-store.js';

/** Keys are scanned in slices of this many records, so the scan never holds a whole file. */
const SCAN_RECORDS = 4096;
/** Vectors held in memory at most (read or made); the oldest go first. */
export const MAX_RESIDENT_VECTORS = 8192;
/** More finished writer files than this are compacted whatever their size. */
const MAX_WRITER_FILES = 32;
/** The default of LACUNA_EMBEDDING_CACHE_MAX_GB. */
export const DEFAULT_CACHE_MAX_GB = 20;

/** The bytes each model's embedding cache may hold: LACUNA_EMBEDDING_CACHE_MAX_GB gigabytes (10^9 bytes). */
export function embeddingCacheMaxBytes(value = process.env.LACUNA_EMBEDDING_CACHE_MAX_GB): number {
  if (value === undefined || value.trim() === '') return DEFAULT_CACHE_MAX_GB * 1e9;
  const gigabytes = Number(value);
  if (!Number.isFinite(gigabytes) || gigabytes < 0) throw new UsageError(`LACUNA_EMBEDDING_CACHE_MAX_GB: '${value}' is not a number of gigabytes (0 or more; 0 writes nothing to the cache)`);
  return gigabytes * 1e9;
}

export interface EmbeddingCacheOptions {
  /** What the model's files may hold, in bytes (default embeddingCacheMaxBytes()). */
  maxBytes?: number;
  /** No warning on stderr when writes stop (tests). */
  quiet?: boolean;
}

export function normaliseForCache(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** This host, as writer files and the compaction lock name it. */
export const CACHE_HOST = safeName(hostname()).replace(/[^A-Za-z0-9.]/g, '_');

/** The writer file's name for this process and a random suffix. */
function writerName(prefix: string): string {
  return `${prefix}.w-${CACHE_HOST}-${process.pid}-${randomBytes(6).toString('hex')}.vectors`;
}

/** A writer file this process may merge and delete: written on this host by a process that is gone. */
function finishedWriter(prefix: string, name: string): boolean {
  const match = /^\.w-(.+)-(\d+)-[0-9a-f]{12}\.vectors$/.exec(name.slice(prefix.length));
  return match !== null && match[1] === CACHE_HOST && Number(match[2]) !== process.pid && !isAlive(Number(match[2]));
}

/**
 * Takes the model's compaction lock (a directory, created atomically), or returns false when
 * another live process holds it. A lock left by a process of this host that is gone is taken over.
 */
function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${CACHE_HOST} ${process.pid}\n`);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      let owner = '';
      try {
        owner = readFileSync(join(lock, 'owner'), 'utf8').trim();
      } catch {
        return false; // being created or removed right now
      }
      const [host, pid] = owner.split(' ');
      if (host !== CACHE_HOST || isAlive(Number(pid))) return false;
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return false;
}

interface Location {
  fd: number;
  offset: number;
}

export class EmbeddingCache {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly recordBytes: number;
  /** This cache's own file: created on its first append, written by it alone. */
  private readonly ownFile: string;
  private readonly located = new Map<string, Location>();
  private readonly vectors = new Map<string, Float32Array>();
  private store: EmbeddingStore | undefined;
  private opened = false;
  private readonly maxBytes: number;
  /** Bytes of this model's files when opened, plus what this writer appended since. */
  private bytesHeld = 0;
  /** Why this writer no longer appends, once it stops; undefined while it does. */
  writesStopped: string | undefined;
  hits = 0;
  misses = 0;

  /** The id of the model behind the cache. */
  get modelId(): string {
    return this.embedder.id;
  }

  get dimensions(): number {
    return this.embedder.dimensions;
  }

  /** Vectors held in memory, keys of writer files located, and vectors in the compacted store. */
  get resident(): { vectors: number; located: number; stored: number } {
    return { vectors: this.vectors.size, located: this.located.size, stored: this.store?.count ?? 0 };
  }

  constructor(
    dir: string,
    private readonly embedder: Embedder,
    private readonly options: EmbeddingCacheOptions = {},
  ) {
    this.dir = dir;
    this.prefix = safeName(embedder.id);
    this.recordBytes = KEY_BYTES + embedder.dimensions * 4;
    this.ownFile = join(dir, writerName(this.prefix));
    this.maxBytes = options.maxBytes ?? embeddingCacheMaxBytes();
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      if (!isEnvironmentError(error)) throw error;
      this.stopWriting(`cannot create '${dir}': ${errnoMessage(error)}`);
    }
  }

  /** Stops this writer's appends for good, keeping the first reason, and says so once (stderr: a worker thread's reaches the run's). */
  private stopWriting(reason: string): void {
    if (this.writesStopped !== undefined) return;
    this.writesStopped = reason;
    if (this.options.quiet !== true) process.stderr.write(`lacuna: warning: ${reason}: new embeddings are not cached from here on (the run goes on)\n`);
  }

  private get storePath(): string {
    return join(this.dir, `${this.prefix}.store`);
  }

  private writerFiles(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if (isEnvironmentError(error)) return [];
      throw error;
    }
    return names
      .filter((name) => name === `${this.prefix}.vectors` || (name.startsWith(`${this.prefix}.`) && name.endsWith('.vectors')))
      .sort();
  }

  /** Compacts finished writers when it pays, then opens the store and locates the other writers' keys. */
  private open(): void {
    if (this.opened) return;
    this.opened = true;
    try {
      this.compact();
    } catch {
      // Compaction only saves memory and files: on a full or read-only disk the cache works as it is.
    }
    this.store = EmbeddingStore.open(this.storePath, this.embedder.dimensions);
    this.bytesHeld = sizeOf(this.storePath) + this.writerFiles().reduce((sum, name) => sum + sizeOf(join(this.dir, name)), 0);
    if (this.bytesHeld >= this.maxBytes) this.stopWriting(this.fullReason());
    for (const name of this.writerFiles()) {
      let fd: number;
      try {
        fd = openSync(join(this.dir, name), 'r');
      } catch {
        continue; // merged into the store and deleted since the listing: the store has it
      }
      this.locate(fd, (key, offset) => {
        if (!this.located.has(key)) this.located.set(key, { fd, offset });
      });
    }
  }

  /** Calls `found` with each whole record's key (latin1) and its vector's offset. */
  private locate(fd: number, found: (key: string, offset: number) => void): void {
    const size = fstatSync(fd).size;
    const complete = size - (size % this.recordBytes);
    const slice = Buffer.alloc(SCAN_RECORDS * this.recordBytes);
    for (let position = 0; position < complete; position += slice.length) {
      const length = readSync(fd, slice, 0, Math.min(slice.length, complete - position), position);
      for (let at = 0; at + this.recordBytes <= length; at += this.recordBytes) found(slice.toString('latin1', at, at + KEY_BYTES), position + at + KEY_BYTES);
    }
  }

  /** Merges finished writers' files into the store when they are a quarter of it or many. */
  private compact(): void {
    const finished = this.writerFiles().filter((name) => finishedWriter(this.prefix, name));
    if (finished.length === 0) return;
    const pending = finished.reduce((sum, name) => sum + sizeOf(join(this.dir, name)), 0);
    if (finished.length <= MAX_WRITER_FILES && pending * 4 < sizeOf(this.storePath)) return;
    const lock = join(this.dir, `${this.prefix}.compacting`);
    if (!takeLock(lock)) return;
    const fds: number[] = [];
    try {
      const old = EmbeddingStore.open(this.storePath, this.embedder.dimensions);
      const records: WriterRecord[] = [];
      for (const name of finished) {
        const fd = openSync(join(this.dir, name), 'r');
        fds.push(fd);
        this.locate(fd, (key, offset) => records.push({ key: Buffer.from(key, 'latin1'), fd, offset }));
      }
      compactInto(this.storePath, this.embedder.dimensions, old, records);
      old?.close();
      for (const name of finished) rmSync(join(this.dir, name), { force: true });
    } finally {
      for (const fd of fds) closeSync(fd);
      rmSync(lock, { recursive: true, force: true });
    }
  }

  private key(text: string): string {
    return createHash('sha256').update(normaliseForCache(text)).digest().toString('latin1');
  }

  private remember(key: string, vector: Float32Array): void {
    this.vectors.delete(key);
    this.vectors.set(key, vector);
    if (this.vectors.size > MAX_RESIDENT_VECTORS) this.vectors.delete(this.vectors.keys().next().value!);
  }

  /** The cached vector for a key, read from disk when not in memory; undefined when there is none. */
  private cached(key: string): Float32Array | undefined {
    const held = this.vectors.get(key);
    if (held) return held;
    let vector: Float32Array | undefined;
    const where = this.located.get(key);
    if (where) {
      vector = new Float32Array(this.embedder.dimensions);
      readSync(where.fd, new Uint8Array(vector.buffer), 0, vector.byteLength, where.offset);
    } else if (this.store) {
      const index = this.store.indexOf(Buffer.from(key, 'latin1'));
      if (index >= 0) vector = this.store.vectorAt(index);
    }
    if (vector) this.remember(key, vector);
    return vector;
  }

  /** Vectors for the texts, embedding only those not seen before. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.open();
    const keys = texts.map((text) => this.key(text));
    const found = new Map<string, Float32Array>();
    const missing: number[] = [];
    const wanted = new Set<string>();
    keys.forEach((key, index) => {
      if (wanted.has(key) || found.has(key)) return;
      const vector = this.cached(key);
      if (vector) found.set(key, vector);
      else {
        wanted.add(key);
        missing.push(index);
      }
    });
    this.hits += texts.length - missing.length;
    this.misses += missing.length;
    if (missing.length > 0) {
      const fresh = await this.embedder.embed(missing.map((index) => texts[index]));
      const records = Buffer.alloc(missing.length * this.recordBytes);
      missing.forEach((index, at) => {
        found.set(keys[index], fresh[at]);
        this.remember(keys[index], fresh[at]);
        records.write(keys[index], at * this.recordBytes, 'latin1');
        Buffer.from(fresh[at].buffer, fresh[at].byteOffset, fresh[at].byteLength).copy(records, at * this.recordBytes + KEY_BYTES);
      });
      this.append(records);
    }
    return keys.map((key) => found.get(key)!);
  }

  private fullReason(): string {
    return `the embedding cache for ${this.embedder.id} holds ${(this.bytesHeld / 1e9).toFixed(2)} of the ${(this.maxBytes / 1e9).toFixed(2)} GB it may (LACUNA_EMBEDDING_CACHE_MAX_GB)`;
  }

  /** Appends records to this writer's file, unless that would pass the limit or the disk refuses. */
  private append(records: Buffer): void {
    if (this.writesStopped !== undefined) return;
    if (this.bytesHeld + records.length > this.maxBytes) {
      this.stopWriting(this.fullReason());
      return;
    }
    try {
      appendFileSync(this.ownFile, records);
    } catch (error) {
      if (!isEnvironmentError(error)) throw error;
      // A torn record at the end of the file is ignored by every reader (locate), so a partial append does no harm.
      this.stopWriting(`cannot write '${this.ownFile}': ${errnoMessage(error)}`);
      return;
    }
    this.bytesHeld += records.length;
  }
}
