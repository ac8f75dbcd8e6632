/**
 * The book protocol: how much of a book a detector chain removes, at the three scales a corpus
 * holds text in, measured on the book's paragraphs of at least MEASURED_MIN_CHARS characters.
 *
 * - in its book: the whole text masked as one document that is never dropped whole (every
 *   paragraph is judged, as a long book in a corpus is);
 * - in documents: the paragraphs grouped into documents of at most DOCUMENT_CHARS characters, each
 *   masked as `lacuna mask` masks a record (a document past the policy's share of flagged
 *   sentences goes whole);
 * - alone: each measured paragraph masked as a document of its own.
 *
 * `lacuna train` measures each book with a model trained without it (cross-validation);
 * `lacuna eval --post/--pre` measures books a user brings with the pack as shipped. One protocol,
 * so the two tables mean the same thing.
 */
import { stripGutenberg } from '../corpora/gutenberg.js';
import { decodeTextBytes } from '../corpora/readers/text.js';
import type { DetectorChain } from '../maskers/detectors/chain.js';
import { segment, splitParagraphs, type Span } from '../maskers/segment/segmenter.js';
import { maskText } from './masked-text.js';

/** Paragraphs at least this long are what a book's loss is measured on. */
export const MEASURED_MIN_CHARS = 300;

/** A target paragraph counts as removed when at least this share of it goes. */
export const TARGET_REMOVED_SHARE = 0.5;

/**
 * Characters of a measured paragraph on the wrong side: of a target paragraph, what stays when it
 * counts as kept (less than TARGET_REMOVED_SHARE removed); of any other, what goes.
 */
export function wrongSideChars(target: boolean, share: number, length: number): number {
  return target ? (share < TARGET_REMOVED_SHARE ? (1 - share) * length : 0) : share * length;
}

/** A book's text and its paragraphs (splitParagraphs). */
export interface MeasuredText {
  text: string;
  paragraphs: Span[];
}

/**
 * A book's text as the protocol reads it: the encoding detected as `--encoding auto` detects it
 * (Einstein's Relativity, PG 5001, is Windows-1252), a Project Gutenberg header and licence removed.
 */
export function readBookText(bytes: Buffer): MeasuredText {
  const text = stripGutenberg(decodeTextBytes(bytes, 'auto')!.text).text;
  return { text, paragraphs: splitParagraphs(text) };
}

/** The measured paragraphs (at least MEASURED_MIN_CHARS), with their index among all paragraphs. */
export function measuredParagraphs(book: MeasuredText): { span: Span; index: number }[] {
  return book.paragraphs.flatMap((span, index) => (span.end - span.start >= MEASURED_MIN_CHARS ? [{ span, index }] : []));
}

/** Share of the span's characters that are removed. */
export function removedShare(removed: Uint8Array, span: Span): number {
  let lost = 0;
  for (let at = span.start; at < span.end; at++) lost += removed[at];
  return span.end > span.start ? lost / (span.end - span.start) : 0;
}

/**
 * Consecutive paragraphs of a book grouped into documents of at most `limit` characters (from the
 * first paragraph's start to the last one's end); a paragraph longer than that is a document alone.
 */
export function documentSpans(book: MeasuredText, limit: number): Span[] {
  const documents: Span[] = [];
  let current: Span | undefined;
  for (const paragraph of book.paragraphs) {
    if (current && paragraph.end - current.start <= limit) current.end = paragraph.end;
    else {
      if (current) documents.push(current);
      current = { start: paragraph.start, end: paragraph.end };
    }
  }
  if (current) documents.push(current);
  return documents;
}

/** The spans `lacuna mask` with its default policy removes from `text` (see maskText). */
async function maskedSpans(chain: DetectorChain, text: string, as: 'book' | 'document'): Promise<{ start: number; end: number }[]> {
  return (await maskText(chain, text, as)).removed;
}

/** Characters the chain and the default policy remove from `text` masked as a document of its own. */
export async function removedFromDocument(chain: DetectorChain, text: string): Promise<number> {
  return (await maskedSpans(chain, text, 'document')).reduce((sum, edit) => sum + edit.end - edit.start, 0);
}

/** Which characters of a book the chain and the sentence policy remove in the book (1: removed). */
export async function removedInBook(chain: DetectorChain, book: MeasuredText): Promise<Uint8Array> {
  const removed = new Uint8Array(book.text.length);
  for (const edit of await maskedSpans(chain, book.text, 'book')) removed.fill(1, edit.start, edit.end);
  return removed;
}

/** Which characters of a book are removed when it is masked as documents of at most `limit` characters. */
export async function removedInDocuments(chain: DetectorChain, book: MeasuredText, limit: number): Promise<Uint8Array> {
  const removed = new Uint8Array(book.text.length);
  for (const document of documentSpans(book, limit)) {
    const text = book.text.slice(document.start, document.end);
    for (const edit of await maskedSpans(chain, text, 'document')) removed.fill(1, document.start + edit.start, document.start + edit.end);
  }
  return removed;
}

/** Share of each measured paragraph's characters removed when it is a document of its own, in measured order. */
export async function isolatedShares(chain: DetectorChain, book: MeasuredText): Promise<Float64Array> {
  const paragraphs = measuredParagraphs(book);
  const shares = new Float64Array(paragraphs.length);
  for (let at = 0; at < paragraphs.length; at++) {
    const { span } = paragraphs[at];
    const text = book.text.slice(span.start, span.end);
    shares[at] = text.length === 0 ? 0 : (await removedFromDocument(chain, text)) / text.length;
  }
  return shares;
}

/** Share of a book's measured characters removed with each sentence of them masked as a document of its own. */
export async function sentenceLoss(chain: DetectorChain, book: MeasuredText): Promise<number> {
  let lost = 0;
  let total = 0;
  for (const { span } of measuredParagraphs(book)) {
    const paragraph = book.text.slice(span.start, span.end);
    for (const sentence of segment(paragraph).sentences) {
      const text = paragraph.slice(sentence.start, sentence.end);
      total += text.length;
      if (text.length > 0) lost += await removedFromDocument(chain, text);
    }
  }
  return total === 0 ? 0 : lost / total;
}

/** Share of the measured characters removed, from each measured paragraph's share (in measured order). */
export function lossOf(book: MeasuredText, shares: ArrayLike<number>): number {
  let lost = 0;
  let total = 0;
  measuredParagraphs(book).forEach(({ span }, at) => {
    total += span.end - span.start;
    lost += shares[at] * (span.end - span.start);
  });
  return total === 0 ? 0 : lost / total;
}

/** Share of the measured characters removed, from a removed-character mask. */
export function measuredLoss(book: MeasuredText, removed: Uint8Array): number {
  return lossOf(book, measuredParagraphs(book).map(({ span }) => removedShare(removed, span)));
}
