/**
 * Raw bytes of one input, hashed as they are read, and decompressed when the
 * first bytes say gzip or zstd (magic numbers, not file names, decide: a
 * `.jsonl` that is really gzip, or gzip on stdin, still reads).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import { Decompress as ZstdDecompress } from 'fzstd';
import { gunzipMembers } from './gzip-members.js';

export type Compression = 'none' | 'gzip' | 'zstd';

/** Counts and hashes the raw (still compressed) bytes of an input as they stream past. */
export class RawByteTap {
  bytes = 0;
  /** Lines a line-oriented reader saw (blank ones included), for numbering the lines of a later byte range. */
  lines = 0;
  private readonly hash: Hash = createHash('sha256');
  private digest: string | undefined;

  observe(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
  }

  /** Only meaningful once the input has been read to its end. */
  sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }
}

export function openRawBytes(path: string, highWaterMark = 1 << 20): AsyncIterable<Buffer> {
  if (path === '-') return process.stdin as AsyncIterable<Buffer>;
  return createReadStream(path, { highWaterMark });
}

async function* tapped(source: AsyncIterable<Buffer>, tap: RawByteTap): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    tap.observe(chunk);
    yield chunk;
  }
}

/** A byte range of an uncompressed line-oriented file: the lines whose first byte lies in [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

const NEWLINE = 0x0a;

/**
 * The bytes of the lines a range owns: a line belongs to the range holding its first byte, so
 * ranges cut at any offsets cover every line of the file exactly once, and no range needs to
 * know where another one starts (the rule Hadoop's line reader uses). The range reads from
 * start - 1 to see whether a line starts at `start`, and past `end` to finish its last line.
 */
export async function* lineRangeBytes(path: string, range: ByteRange, highWaterMark = 1 << 20): AsyncGenerator<Buffer> {
  const from = Math.max(0, range.start - 1);
  let skipping = range.start > 0;
  let position = from;
  // Whether the byte before `position` ends a line (true at the start of a file and after the skip).
  let atLineStart = true;
  for await (const read of createReadStream(path, { start: from, highWaterMark })) {
    let chunk = read as Buffer;
    if (skipping) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        position += chunk.length;
        continue;
      }
      chunk = chunk.subarray(newline + 1);
      position += newline + 1;
      skipping = false;
    }
    if (position >= range.end) {
      // Past the range: only the end of a line that started inside it is still ours.
      if (atLineStart) return;
      const newline = chunk.indexOf(NEWLINE);
      if (newline !== -1) {
        yield chunk.subarray(0, newline + 1);
        return;
      }
      if (chunk.length > 0) yield chunk;
      position += chunk.length;
      continue;
    }
    const inside = Math.min(chunk.length, range.end - position);
    const head = chunk.subarray(0, inside);
    if (head.length > 0) {
      yield head;
      atLineStart = head[head.length - 1] === NEWLINE;
    }
    position += inside;
    if (inside < chunk.length) {
      if (atLineStart) return;
      const tail = chunk.subarray(inside);
      const newline = tail.indexOf(NEWLINE);
      if (newline !== -1) {
        yield tail.subarray(0, newline + 1);
        return;
      }
      yield tail;
      position += tail.length;
    }
  }
}

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** fzstd as a Node Transform, so zstd and gzip share one code path. */
class ZstdTransform extends Transform {
  private readonly decoder = new ZstdDecompress((data) => this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.decoder.push(chunk, false);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      done();
    } catch (error) {
      done(error as Error);
    }
  }
}

export interface DecodedInput {
  compression: Compression;
  /** Decompressed bytes; iteration throws when the compressed stream is damaged or cut short. */
  bytes: AsyncIterable<Buffer>;
  /**
   * Set once the bytes are read, when a gzip stream was followed by bytes that are not gzip:
   * they were ignored, as `gzip -d` ignores them ("trailing garbage ignored").
   */
  trailingGarbage?: boolean;
}

/**
 * Everything `transform` makes of `source`, yielded in order, and its error only after all the
 * output it produced before failing. Node's stream pipeline drops output still buffered when a
 * stream fails (a JSON array cut short lost the elements parsed in its last chunk), so output is
 * collected as it is made.
 * Every wait also ends on the transform's error or close: a failing stream never leaves a
 * write waiting for a callback that will not come.
 */
export async function* throughKeepingOutput<T>(source: AsyncIterable<unknown>, transform: Duplex): AsyncGenerator<T> {
  const output: T[] = [];
  let failure: Error | undefined;
  let closed = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  transform.on('data', (item: T) => output.push(item));
  transform.on('error', (error: Error) => {
    failure ??= error;
    signal();
  });
  transform.on('close', () => {
    closed = true;
    signal();
  });
  transform.on('end', signal);
  const settle = (start: (done: () => void) => void) =>
    new Promise<void>((resolve) => {
      if (failure || closed) return resolve();
      wake = resolve;
      start(signal);
    });
  try {
    for await (const chunk of source) {
      await settle((done) => transform.write(chunk, () => done()));
      yield* output.splice(0);
      if (failure || closed) break;
    }
  } catch (error) {
    failure ??= error as Error;
  }
  if (!failure && !closed) await settle(() => transform.end());
  // 'end' comes after the last 'data'; a stream that ended may still close later, which is fine.
  yield* output.splice(0);
  transform.destroy();
  if (failure) throw failure;
}

/**
 * Opens an input for reading. The returned iterable yields decompressed bytes;
 * the tap sees every raw byte, so its sha256 is the file's, whatever the format.
 */
export async function openDecoded(path: string, tap: RawByteTap, range?: ByteRange): Promise<DecodedInput> {
  // A range is only ever cut from an uncompressed file (see work-units.ts): its bytes are the lines.
  if (range) return { compression: 'none', bytes: tapped(lineRangeBytes(path, range), tap) };
  const raw = tapped(openRawBytes(path), tap)[Symbol.asyncIterator]();
  const first = await raw.next();
  if (first.done) return { compression: 'none', bytes: (async function* () {})() };
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (let next = await raw.next(); !next.done; next = await raw.next()) yield next.value;
  })();
  const compression = sniffCompression(head);
  if (compression === 'none') return { compression, bytes: rest };
  if (compression === 'gzip') {
    const input: DecodedInput = { compression, bytes: rest };
    input.bytes = gunzipMembers(rest, () => (input.trailingGarbage = true));
    return input;
  }
  return { compression, bytes: throughKeepingOutput<Buffer>(rest, new ZstdTransform()) };
}
