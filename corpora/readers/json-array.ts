/**
 * A `.json` input, streamed value by value with stream-json so that a
 * multi-gigabyte file never sits in memory. Its first character decides what
 * it holds:
 *   `[`  an array of records (element i is record i);
 *   `{`  one record, or several concatenated (`{..}{..}`, or JSON Lines read
 *        with --format json): each top-level value is a record;
 *   else a top-level string, number, ... is not a corpus: one reject.
 * A syntax error cannot be resynchronised inside one JSON value, so it ends the
 * file with one reject; every record parsed before it is kept.
 */
import streamArray from 'stream-json/streamers/stream-array.js';
import streamValues from 'stream-json/streamers/stream-values.js';
import { openDecoded, throughKeepingOutput, type RawByteTap } from '../byte-source.js';
import type { InputEvent } from '../document.js';
import { mapRecord } from '../record-mapping.js';
import { damagedStreamReason, TRAILING_GARBAGE_REASON, type InputFile, type ReaderOptions } from './types.js';

const UTF8_BOM = '\ufeff';

/** Decodes UTF-8 strictly, so invalid bytes become a reject instead of U+FFFD in the corpus. */
async function* strictUtf8(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of bytes) yield decoder.decode(chunk, { stream: true });
  yield decoder.decode();
}

function describeTopLevel(first: string): string {
  if (first === '"') return 'a string';
  if (first === 't' || first === 'f') return 'a boolean';
  if (first === 'n') return 'null';
  if (/[-0-9]/.test(first)) return 'a number';
  return `'${first}'`;
}

/**
 * The text in pieces that end at line ends. stream-json drops the tokens of a piece it fails in,
 * so a piece per line keeps every element that ends on a line before the damage (an array cut
 * short, a missing comma) instead of losing a whole 64 KB chunk of records with it.
 */
function* lineSized(text: string): Generator<string> {
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    yield text.slice(start, end + 1);
    start = end + 1;
  }
  if (start < text.length) yield text.slice(start);
}

export async function* readJsonArray(file: InputFile, options: ReaderOptions, tap: RawByteTap): AsyncGenerator<InputEvent> {
  const decoded = await openDecoded(file.path, tap);
  const text = strictUtf8(decoded.bytes)[Symbol.asyncIterator]();
  let sourceError: unknown;
  // The first non-blank character, read before any parser exists, picks the parser.
  let head = '';
  try {
    for (let next = await text.next(); !next.done; next = await text.next()) {
      head += next.value;
      if (head.startsWith(UTF8_BOM)) head = head.slice(1);
      if (head.trimStart().length > 0) break;
    }
  } catch (error) {
    sourceError = error;
  }
  const first = head.trimStart()[0];
  if (sourceError === undefined && first === undefined) return; // an empty file holds no records
  const isArray = first === '[';
  if (sourceError === undefined && !isArray && first !== '{') {
    yield { kind: 'reject', reject: { file: file.label, record: 0, reason: `top level is ${describeTopLevel(first!)}, not an array of records or a record object` } };
    return;
  }

  const rest = (async function* () {
    yield* lineSized(head);
    try {
      for (let next = await text.next(); !next.done; next = await text.next()) yield* lineSized(next.value);
    } catch (error) {
      sourceError = error;
      throw error;
    }
  })();
  const parser = isArray ? streamArray.withParserAsStream() : streamValues.withParserAsStream();
  const items = sourceError === undefined ? throughKeepingOutput<{ key: number; value: unknown }>(rest, parser) : [];
  let index = -1;
  try {
    for await (const item of items) {
      index = item.key;
      const origin = { file: file.label, record: item.key };
      const mapped = mapRecord(item.value, options, `${file.label}#${item.key}`);
      if ('doc' in mapped) yield { kind: 'doc', doc: mapped.doc, origin };
      else yield { kind: 'reject', reject: { ...origin, reason: mapped.reason, ...(mapped.id ? { id: mapped.id } : {}) } };
    }
  } catch (error) {
    if (sourceError === undefined) {
      const what = isArray ? 'a valid JSON array of records' : 'valid JSON';
      const reason = `not ${what} after record ${index} (${(error as Error).message}); the records before it were kept`;
      yield { kind: 'reject', reject: { file: file.label, record: index + 1, reason } };
      return;
    }
  }
  if (sourceError !== undefined) {
    const reason =
      sourceError instanceof TypeError && /encoded data was not valid/i.test(sourceError.message)
        ? `invalid UTF-8 after record ${index}; the records before it were kept`
        : `${damagedStreamReason(decoded.compression, `record ${index}`, sourceError)}; the records before it were kept`;
    yield { kind: 'reject', reject: { file: file.label, record: index + 1, reason } };
    return;
  }
  if (decoded.trailingGarbage) yield { kind: 'reject', reject: { file: file.label, record: index + 1, reason: TRAILING_GARBAGE_REASON } };
}
