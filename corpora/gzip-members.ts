/**
 * gzip decoding that keeps every byte `gzip -d` keeps. Node's Gunzip handles
 * several members itself, but when the bytes after a member are not another
 * member it fails and drops the output of the member's last chunk (43 records
 * of one test file). Here each member's header and trailer are read by this
 * module and only the deflate body goes to zlib (InflateRaw, native speed), whose
 * `bytesWritten` says exactly where the body ended. What follows the last whole
 * member and is not gzip is "trailing garbage": ignored and reported, as
 * `gzip -d` does. CRC-32 and length are checked for every member.
 */
import { crc32, createInflateRaw } from 'node:zlib';

const ID1 = 0x1f;
const ID2 = 0x8b;
const DEFLATE = 8;
const FLAG_HCRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;
const EMPTY = Buffer.alloc(0);

/** Raw bytes pulled from a stream on demand, with what was read but not used put back. */
class ByteReader {
  private buffered: Buffer = EMPTY;
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Whether at least `n` bytes are available (reading more as needed). */
  async fill(n: number): Promise<boolean> {
    while (this.buffered.length < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else this.buffered = this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
    }
    return this.buffered.length >= n;
  }

  byteAt(index: number): number {
    return this.buffered[index];
  }

  take(n: number): Buffer {
    const taken = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return taken;
  }

  /** What is buffered, or the next chunk of the stream; undefined at its end. */
  async next(): Promise<Buffer | undefined> {
    if (this.buffered.length > 0) return this.take(this.buffered.length);
    if (this.done) return undefined;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return undefined;
    }
    return next.value;
  }

  putBack(bytes: Buffer): void {
    this.buffered = this.buffered.length === 0 ? bytes : Buffer.concat([bytes, this.buffered]);
  }

  /** Reads to the end without keeping anything, so a tap on the source sees every byte. */
  async drain(): Promise<void> {
    this.buffered = EMPTY;
    while (await this.next());
  }
}

function truncated(): Error {
  return new Error('unexpected end of file');
}

/** Length of the member header at the reader's position (RFC 1952, section 2.3). */
async function headerLength(reader: ByteReader): Promise<number> {
  if (!(await reader.fill(10))) throw truncated();
  if (reader.byteAt(2) !== DEFLATE) throw new Error('unknown compression method');
  const flags = reader.byteAt(3);
  let length = 10;
  if (flags & FLAG_EXTRA) {
    if (!(await reader.fill(length + 2))) throw truncated();
    length += 2 + (reader.byteAt(length) | (reader.byteAt(length + 1) << 8));
  }
  for (const flag of [FLAG_NAME, FLAG_COMMENT]) {
    if (!(flags & flag)) continue;
    for (;;) {
      if (!(await reader.fill(length + 1))) throw truncated();
      if (reader.byteAt(length++) === 0) break;
    }
  }
  if (flags & FLAG_HCRC) length += 2;
  if (!(await reader.fill(length))) throw truncated();
  return length;
}

/** The decompressed body of one member; leaves the reader just after its trailer. */
async function* inflateMember(reader: ByteReader): AsyncGenerator<Buffer> {
  const inflater = createInflateRaw({ chunkSize: 1 << 16 });
  const output: Buffer[] = [];
  let failure: Error | undefined;
  let ended = false;
  // A failing write may never call back; its error wakes the wait instead.
  let wake: (() => void) | undefined;
  inflater.on('data', (chunk: Buffer) => output.push(chunk));
  inflater.on('error', (error: Error) => {
    failure ??= error;
    wake?.();
  });
  inflater.on('end', () => (ended = true));
  let crc = 0;
  let size = 0;
  const emit = function* () {
    for (const chunk of output.splice(0)) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
  };
  try {
    while (!ended) {
      const chunk = await reader.next();
      if (!chunk) throw failure ?? truncated();
      const before = inflater.bytesWritten;
      await new Promise<void>((resolve) => {
        wake = resolve;
        inflater.write(chunk, () => resolve());
      });
      wake = undefined;
      yield* emit();
      if (failure) throw failure;
      const consumed = inflater.bytesWritten - before;
      // zlib takes a whole chunk unless the deflate stream ends inside it; the rest is the trailer and beyond.
      if (consumed < chunk.length) {
        reader.putBack(chunk.subarray(consumed));
        ended = true;
      }
    }
  } finally {
    inflater.destroy();
  }
  if (!(await reader.fill(8))) throw truncated();
  const trailer = reader.take(8);
  if (trailer.readUInt32LE(0) !== crc >>> 0) throw new Error('CRC-32 check failed');
  if (trailer.readUInt32LE(4) !== size % 2 ** 32) throw new Error('length check failed');
}

/**
 * The decompressed bytes of a gzip stream of one or more members. `onTrailingGarbage` is
 * called when bytes follow the last whole member that do not start another one.
 */
export async function* gunzipMembers(source: AsyncIterable<Buffer>, onTrailingGarbage: () => void): AsyncGenerator<Buffer> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  for (let members = 0; ; members++) {
    if (!(await reader.fill(1))) return;
    const isMember = (await reader.fill(2)) && reader.byteAt(0) === ID1 && reader.byteAt(1) === ID2;
    if (!isMember) {
      if (members === 0) throw new Error('not a gzip stream');
      onTrailingGarbage();
      await reader.drain();
      return;
    }
    reader.take(await headerLength(reader));
    yield* inflateMember(reader);
  }
}
