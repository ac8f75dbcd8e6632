/**
 * Writes JSON Lines to a file, gzip-compressed unless told otherwise, hashing
 * the bytes as they go so the manifest's sha256 costs no second read.
 *
 * Compression is block-parallel, as pigz and BGZF do it: records are gathered
 * into ~1 MiB blocks, each block is compressed as its own gzip member on
 * libuv's thread pool, and members are written in order. Concatenated members
 * are one valid gzip file (zcat, Python's gzip and Node all read it), block
 * boundaries depend only on the records, so output bytes are reproducible,
 * and several blocks compress at once instead of one zlib stream capping the
 * whole run at single-core gzip speed.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { compress as zstdCompress, init as zstdInit } from '@bokuweb/zstd-wasm';
import { UsageError } from '../errors.js';
import { environmentError } from '../user-file.js';

const gzip = promisify(gzipCallback);
/** zstd's default level: fixed, so the same records give the same bytes. */
const ZSTD_LEVEL = 3;
let zstdLoaded: Promise<void> | undefined;
const zstdReady = () => (zstdLoaded ??= zstdInit());

export interface WrittenFile {
  /** Path as given to the writer. */
  path: string;
  bytes: number;
  sha256: string;
  records: number;
}

const BLOCK_BYTES = 1 << 20;
/** Blocks compressing at once; libuv's pool has four threads by default. */
const MAX_IN_FLIGHT = 4;
/** zlib's default; part of the configuration, so the same records always give the same bytes. */
export const DEFAULT_GZIP_LEVEL = 6;

export class JsonlWriter {
  private readonly file: Promise<FileHandle>;
  private readonly hash = createHash('sha256');
  private readonly compress: boolean;
  private readonly zstd: boolean;
  private readonly level: number;
  private block: string[] = [];
  private blockBytes = 0;
  private readonly inFlight: Promise<Buffer>[] = [];
  private writtenBytes = 0;
  records = 0;
  /** Exact UTF-8 bytes of the JSONL before compression (shards are cut on this). */
  uncompressedBytes = 0;

  /**
   * `exclusive` for a path the user named: the file must not exist (Lacuna never replaces a file
   * it cannot prove it wrote). Files inside a run's staging directory are Lacuna's own.
   */
  constructor(
    readonly path: string,
    { gzip: compress = true, zstd = false, level = DEFAULT_GZIP_LEVEL, exclusive = false }: { gzip?: boolean; zstd?: boolean; level?: number; exclusive?: boolean } = {},
  ) {
    this.compress = compress || zstd;
    this.zstd = zstd;
    this.level = level;
    this.file = open(path, exclusive ? 'wx' : 'w').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new UsageError(`'${path}' already exists; Lacuna does not overwrite a file it did not write: choose another path or remove it`);
      throw environmentError(error, 'create', path);
    });
    // Keep an early open error from becoming an unhandled rejection; write() and close() report it.
    this.file.catch(() => {});
  }

  /** Writes one record; resolves when the writer can take more (backpressure). */
  async write(record: unknown): Promise<void> {
    return this.writeLine(JSON.stringify(record) + '\n');
  }

  /** Writes one record already serialised as a JSON line, newline included (a log being renumbered). */
  async writeLine(line: string): Promise<void> {
    const bytes = Buffer.byteLength(line);
    this.records++;
    this.uncompressedBytes += bytes;
    this.block.push(line);
    this.blockBytes += bytes;
    if (this.blockBytes >= BLOCK_BYTES) await this.flushBlock();
  }

  private async flushBlock(): Promise<void> {
    if (this.block.length === 0) return;
    const data = Buffer.from(this.block.join(''), 'utf8');
    this.block = [];
    this.blockBytes = 0;
    const encoded = this.encode(data);
    encoded.catch(() => {});
    this.inFlight.push(encoded);
    if (this.inFlight.length >= MAX_IN_FLIGHT) await this.writeOldest();
  }

  /**
   * One block as its own gzip member or zstd frame: concatenated, they are one valid stream for
   * zcat, zstdcat and every reader. zstd runs in WebAssembly on this thread (Node 20's zlib has
   * none); gzip on libuv's pool.
   */
  private async encode(data: Buffer): Promise<Buffer> {
    if (!this.compress) return data;
    if (!this.zstd) return gzip(data, { level: this.level });
    await zstdReady();
    return Buffer.from(zstdCompress(data, ZSTD_LEVEL));
  }

  private async writeOldest(): Promise<void> {
    await this.writeBytes(await this.inFlight.shift()!);
  }

  /** Every byte goes through here: hashed, counted, and a failure named with the file's path. */
  private async writeBytes(bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    this.writtenBytes += bytes.length;
    const handle = await this.file;
    await handle.write(bytes).catch((error) => {
      throw environmentError(error, 'write', this.path);
    });
  }

  /**
   * Gives the file up after a failure elsewhere (a unit stopped by --strict, a full disk): waits for
   * blocks still compressing, then closes the handle without writing more. Its caller removes the
   * staging directory; without this the handle stayed open until garbage collection, and Node printed
   * a warning per file after the run's one-line error.
   */
  async abandon(): Promise<void> {
    this.block = [];
    await Promise.allSettled(this.inFlight.splice(0));
    const handle = await this.file.catch(() => undefined);
    await handle?.close().catch(() => undefined);
  }

  async close(): Promise<WrittenFile> {
    await this.flushBlock();
    while (this.inFlight.length > 0) await this.writeOldest();
    // An empty gzip file is still a gzip file: readers that expect one must not choke on zero bytes.
    if (this.compress && this.writtenBytes === 0) await this.writeBytes(await this.encode(Buffer.alloc(0)));
    const handle = await this.file;
    try {
      await handle.sync();
    } catch (error) {
      throw environmentError(error, 'write', this.path);
    } finally {
      await handle.close().catch(() => undefined);
    }
    return { path: this.path, bytes: this.writtenBytes, sha256: this.hash.digest('hex'), records: this.records };
  }
}
