/** A plain-text or Markdown file is one document whose id is its path relative to the input root. */
import { isUtf8 } from 'node:buffer';
import { openDecoded, type RawByteTap } from '../byte-source.js';
import type { InputEvent } from '../document.js';
import { damagedStreamReason, TRAILING_GARBAGE_REASON, type InputFile, type ReaderOptions } from './types.js';

const UTF8_BOM = '\ufeff';

export async function* readTextFile(file: InputFile, options: ReaderOptions, tap: RawByteTap): AsyncGenerator<InputEvent> {
  const origin = { file: file.label };
  const decoded = await openDecoded(file.path, tap);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of decoded.bytes) chunks.push(chunk);
  } catch (error) {
    yield { kind: 'reject', reject: { ...origin, id: file.label, reason: damagedStreamReason(decoded.compression, `${chunks.reduce((sum, chunk) => sum + chunk.length, 0)} bytes`, error) } };
    return;
  }
  const bytes = Buffer.concat(chunks);
  const text = decodeTextBytes(bytes, options.encoding);
  if (!text) {
    yield { kind: 'reject', reject: { ...origin, id: file.label, reason: 'invalid UTF-8 (pass --encoding auto to read legacy 8-bit text as Windows-1252)' } };
    return;
  }
  yield { kind: 'doc', doc: { id: file.label, text: text.text }, origin: { ...origin, decodedAs: text.as } };
  if (decoded.trailingGarbage) yield { kind: 'reject', reject: { ...origin, reason: TRAILING_GARBAGE_REASON } };
}

/**
 * A text file's bytes as text: UTF-8 when they are UTF-8 (and `encoding` allows it), else
 * Windows-1252 when `encoding` is auto or latin1, as older Project Gutenberg texts are; null
 * when `encoding` is utf-8 and they are not. A byte-order mark is dropped.
 */
export function decodeTextBytes(bytes: Buffer, encoding: ReaderOptions['encoding']): { text: string; as: 'utf-8' | 'windows-1252' } | null {
  const utf8 = encoding !== 'latin1' && isUtf8(bytes);
  if (!utf8 && encoding === 'utf-8') return null;
  let text = utf8 ? bytes.toString('utf8') : new TextDecoder('windows-1252').decode(bytes);
  if (text.startsWith(UTF8_BOM)) text = text.slice(1);
  return { text, as: utf8 ? 'utf-8' : 'windows-1252' };
}
