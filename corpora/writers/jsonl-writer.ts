/**
 * Writes JSON Lines to a file, through gzip unless told otherwise, hashing the compressed bytes as they
 * go so the manifest's sha256 costs no second read. Records are gathered into
 * ~64 KiB blocks before they reach zlib: one call per record is several times slower.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { PassThrough, type Transform } from 'node:stream';
import { createGzip } from 'node:zlib';

export interface WrittenFile {
  /** Path as given to the writer. */
  path: string;
  bytes: number;
  sha256: string;
  records: number;
}

const BLOCK_CHARS = 64 * 1024;

export class JsonlWriter {
  private readonly encoder: Transform;
  private readonly file: WriteStream;
  private readonly hash = createHash('sha256');
  private compressedBytes = 0;
  private block: string[] = [];
  private blockChars = 0;
  private finished: Promise<void>;
  records = 0;
  /** Exact UTF-8 bytes of the JSONL before compression (shards are cut on this). */
  uncompressedBytes = 0;

  constructor(
    readonly path: string,
    { gzip = true }: { gzip?: boolean } = {},
  ) {
    // Level 6 is zlib's default; fixed so the same input always gives the same bytes.
    this.encoder = gzip ? createGzip({ level: 6 }) : new PassThrough();
    this.file = createWriteStream(path, { flush: true });
    this.encoder.on('data', (chunk: Buffer) => {
      this.hash.update(chunk);
      this.compressedBytes += chunk.length;
      if (!this.file.write(chunk)) this.encoder.pause();
    });
    this.file.on('drain', () => this.encoder.resume());
    this.finished = new Promise((resolve, reject) => {
      this.encoder.on('error', reject);
      this.file.on('error', reject);
      this.encoder.on('end', () => this.file.end());
      this.file.on('finish', resolve);
    });
    // Keep an early error from becoming an unhandled rejection; close() reports it.
    this.finished.catch(() => {});
  }

  /** Writes one record; resolves when the writer can take more (backpressure). */
  async write(record: unknown): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    this.records++;
    this.uncompressedBytes += Buffer.byteLength(line);
    this.block.push(line);
    this.blockChars += line.length;
    if (this.blockChars >= BLOCK_CHARS) await this.flushBlock();
  }

  private async flushBlock(): Promise<void> {
    if (this.block.length === 0) return;
    const text = this.block.join('');
    this.block = [];
    this.blockChars = 0;
    if (!this.encoder.write(text)) await Promise.race([once(this.encoder, 'drain'), this.finished]);
  }

  async close(): Promise<WrittenFile> {
    await this.flushBlock();
    this.encoder.end();
    await this.finished;
    return { path: this.path, bytes: this.compressedBytes, sha256: this.hash.digest('hex'), records: this.records };
  }
}
