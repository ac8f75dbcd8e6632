/** JSON Lines, plain or compressed: one record per line, each line judged on its own. */
import { isUtf8 } from 'node:buffer';
import { openDecoded, type RawByteTap } from '../byte-source.js';
import type { InputEvent } from '../document.js';
import { LineSplitter, type ByteLine } from '../line-splitter.js';
import { mapRecord } from '../record-mapping.js';
import { damagedStreamReason, TRAILING_GARBAGE_REASON, type InputFile, type ReaderOptions } from './types.js';

const UTF8_BOM = '\ufeff';

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

function* lineToEvent(line: ByteLine, file: InputFile, options: ReaderOptions): Generator<InputEvent> {
  // A blank line is not a record (editors and `cat` leave them); it is skipped, not rejected.
  if (isBlank(line.bytes)) return;
  const origin = { file: file.label, line: line.lineNo };
  if (!isUtf8(line.bytes)) {
    yield { kind: 'reject', reject: { ...origin, reason: 'invalid UTF-8' } };
    return;
  }
  let source = line.bytes.toString('utf8');
  if (line.lineNo === 1 && !file.range?.start && source.startsWith(UTF8_BOM)) source = source.slice(1);
  let record: unknown;
  try {
    record = JSON.parse(source);
  } catch (error) {
    yield { kind: 'reject', reject: { ...origin, reason: `malformed JSON: ${(error as Error).message}` } };
    return;
  }
  const mapped = mapRecord(record, options, fallbackId(file, line.lineNo));
  if ('doc' in mapped) yield { kind: 'doc', doc: mapped.doc, origin };
  else yield { kind: 'reject', reject: { ...origin, reason: mapped.reason, ...(mapped.id ? { id: mapped.id } : {}) } };
}

/**
 * The id of a record that has none. Lines of a byte range are numbered from 1 within the range
 * (a range cannot know how many lines come before it without reading them), so the range's
 * start names it: `file#12` for the whole file, `file@67108864#12` for a range. Rejects are
 * renumbered in the file when the run merges (see mask-merge.ts).
 */
function fallbackId(file: InputFile, lineNo: number): string {
  return file.range?.start ? `${file.label}@${file.range.start}#${lineNo}` : `${file.label}#${lineNo}`;
}

export async function* readJsonl(file: InputFile, options: ReaderOptions, tap: RawByteTap): AsyncGenerator<InputEvent> {
  const decoded = await openDecoded(file.path, tap, file.range);
  const splitter = new LineSplitter();
  try {
    for await (const chunk of decoded.bytes) {
      for (const line of splitter.push(chunk)) yield* lineToEvent(line, file, options);
      tap.lines = splitter.linesSeen;
    }
  } catch (error) {
    // Lines completed before the damage were already yielded; the partial line is the damage.
    const after = `line ${splitter.linesSeen}`;
    yield { kind: 'reject', reject: { file: file.label, line: splitter.linesSeen + 1, reason: `${damagedStreamReason(decoded.compression, after, error)}; the records before it were kept` } };
    return;
  }
  const last = splitter.finish();
  tap.lines = splitter.linesSeen;
  if (last) yield* lineToEvent(last, file, options);
  if (decoded.trailingGarbage) yield { kind: 'reject', reject: { file: file.label, line: splitter.linesSeen + 1, reason: TRAILING_GARBAGE_REASON } };
}
