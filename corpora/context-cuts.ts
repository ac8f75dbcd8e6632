/**
 * Where a work unit may cut a large JSONL file when records are judged in context runs
 * (`--context-field`): not inside a run. A byte range of a file is its own unit, read and masked
 * alone; a book stored a paragraph per record that straddled the cut would be judged as two
 * halves (detected and decided apart, so the `--max-flagged` rule weighed each half). The plan
 * moves each cut forward to the first record whose context value differs from the value of the
 * last record before the cut, reading only around the cut. It reads the file, not the clock: the
 * same file and options cut at the same offsets, so units, and the output, stay reproducible.
 *
 * What continues a run is what the reader makes of each line (mapRecord): a blank line or a record
 * the reader would reject is passed over, as runs pass over rejects; a record without the field
 * ends the run. A run longer than `limit` bytes past the cut (the batcher cuts a run at
 * CONTEXT_MAX_CHARS anyway), or a last record before the cut that cannot be read within `limit`
 * bytes, leaves the cut where it was.
 */
import { open } from 'node:fs/promises';
import { mapRecord, type FieldOptions } from './record-mapping.js';

const NEWLINE = 0x0a;
/** Reads start at 64 KiB and grow: most records are short, and a plan reads around each of thousands of cuts. */
const FIRST_READ = 1 << 16;
const LAST_READ = 1 << 20;

/** The context value a line gives a document: a string, undefined (judged alone), or null when the reader would make no document of it. */
function lineContext(line: Buffer, fields: FieldOptions): string | undefined | null {
  // A byte-order mark is read as the reader reads it at the start of a file.
  const source = line.toString('utf8').replace(/^\uFEFF/, '').trim();
  if (source === '') return null;
  let record: unknown;
  try {
    record = JSON.parse(source);
  } catch {
    return null;
  }
  const mapped = mapRecord(record, fields, '');
  return 'doc' in mapped ? mapped.doc.context : null;
}

/** The offset of the first line of `path` that starts at or after `offset` (the file's size if none). */
async function lineStartAtOrAfter(handle: Awaited<ReturnType<typeof open>>, offset: number, size: number): Promise<number> {
  if (offset <= 0) return 0;
  const buffer = Buffer.alloc(FIRST_READ);
  // A line starts at `offset` when the byte before it ends a line.
  for (let position = offset - 1; position < size; position += FIRST_READ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(FIRST_READ, size - position), position);
    const newline = buffer.subarray(0, bytesRead).indexOf(NEWLINE);
    if (newline !== -1) return position + newline + 1;
  }
  return size;
}

/**
 * The context of the last record that ends before `cut` (a line start), passing over lines the
 * reader makes no document of: null when there is none within `limit` bytes. The window grows
 * from 64 KiB, so a plan reads little around each cut of a 100 GB file.
 */
async function lastContextBefore(handle: Awaited<ReturnType<typeof open>>, cut: number, fields: FieldOptions, limit: number): Promise<string | undefined | null> {
  for (let back = Math.min(cut, limit, FIRST_READ); ; ) {
    const before = Buffer.alloc(back);
    await handle.read(before, 0, back, cut - back);
    let end = before.length;
    for (;;) {
      // (lastIndexOf counts a negative offset from the end: a line of one byte at the start is the first line.)
      const start = end >= 2 ? before.lastIndexOf(NEWLINE, end - 2) + 1 : 0;
      // A line cut off by the window's start cannot be read yet: a wider window.
      if (start === 0 && cut - back > 0) break;
      const value = lineContext(before.subarray(start, end), fields);
      if (value !== null) return value;
      if (start === 0) return null;
      end = start;
    }
    const wider = Math.min(cut, limit, back * 4);
    if (wider === back) return null;
    back = wider;
  }
}

/**
 * The cut at or after `offset` that no context run crosses, per the rules above: `offset` itself
 * when nothing moves it (the range reader then finds the line boundary as it always has).
 */
export async function contextRunCut(path: string, offset: number, fields: FieldOptions, limit: number): Promise<number> {
  if (fields.contextField === undefined || offset <= 0) return offset;
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    if (offset >= size) return offset;
    const cut = await lineStartAtOrAfter(handle, offset, size);
    if (cut >= size) return offset;
    const value = await lastContextBefore(handle, cut, fields, limit);
    if (value === null || value === undefined) return offset;
    // Forward from the cut: the first record with another value (or none) starts the next unit.
    let position = cut;
    let pending = Buffer.alloc(0);
    let chunk = FIRST_READ;
    while (position + pending.length - cut <= limit) {
      const buffer = Buffer.alloc(chunk);
      chunk = Math.min(LAST_READ, chunk * 2);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position + pending.length);
      const data = Buffer.concat([pending, buffer.subarray(0, bytesRead)]);
      let start = 0;
      for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, start)) {
        if (position + newline + 1 - cut > limit) return offset;
        const context = lineContext(data.subarray(start, newline + 1), fields);
        if (context !== null && context !== value) return position + start;
        start = newline + 1;
      }
      if (bytesRead === 0) {
        // The last line has no newline: it is the file's last record.
        const context = lineContext(data.subarray(start), fields);
        return context !== null && context !== value ? position + start : size;
      }
      position += start;
      pending = Buffer.from(data.subarray(start));
    }
    return offset;
  } finally {
    await handle.close();
  }
}
