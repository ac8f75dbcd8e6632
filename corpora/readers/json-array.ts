/**
 * A JSON file holding an array of records, streamed element by element with
 * stream-json so that a multi-gigabyte array never sits in memory. A syntax
 * error cannot be resynchronised inside one JSON value, so it ends the file
 * with one reject; the elements before it are kept.
 */
import streamArray from 'stream-json/streamers/stream-array.js';
import { openDecoded, type RawByteTap } from '../byte-source.js';
import type { InputEvent } from '../document.js';
import { mapRecord } from '../record-mapping.js';
import { damagedStreamReason, type InputFile, type ReaderOptions } from './types.js';

/** Decodes UTF-8 strictly, so invalid bytes become a reject instead of U+FFFD in the corpus. */
async function* strictUtf8(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of bytes) yield decoder.decode(chunk, { stream: true });
  yield decoder.decode();
}

export async function* readJsonArray(file: InputFile, options: ReaderOptions, tap: RawByteTap): AsyncGenerator<InputEvent> {
  const decoded = await openDecoded(file.path, tap);
  const parser = streamArray.withParserAsStream();
  let sourceError: unknown;
  const feed = (async () => {
    try {
      for await (const text of strictUtf8(decoded.bytes)) {
        if (!parser.write(text)) await new Promise((resolve) => parser.once('drain', resolve));
      }
      parser.end();
    } catch (error) {
      sourceError = error;
      parser.destroy();
    }
  })();
  let index = -1;
  try {
    for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>) {
      index = item.key;
      const origin = { file: file.label, record: item.key };
      const mapped = mapRecord(item.value, options, `${file.label}#${item.key}`);
      if ('doc' in mapped) yield { kind: 'doc', doc: mapped.doc, origin };
      else yield { kind: 'reject', reject: { ...origin, reason: mapped.reason, ...(mapped.id ? { id: mapped.id } : {}) } };
    }
  } catch (error) {
    await feed;
    const reason = `not a valid JSON array of records after element ${index} (${(error as Error).message}); the elements before it were kept`;
    yield { kind: 'reject', reject: { file: file.label, record: index + 1, reason } };
    return;
  }
  await feed;
  if (sourceError !== undefined) {
    const reason =
      sourceError instanceof TypeError && /encoded data was not valid/i.test(sourceError.message)
        ? `invalid UTF-8 after element ${index}; the elements before it were kept`
        : `${damagedStreamReason(decoded.compression, `element ${index}`, sourceError)}; the elements before it were kept`;
    yield { kind: 'reject', reject: { file: file.label, record: index + 1, reason } };
  }
}
