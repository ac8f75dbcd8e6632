/**
 * Splits a document into paragraphs and sentences with exact UTF-16 offsets.
 * Every non-whitespace character of the text lies in exactly one sentence, so
 * the gaps between sentences are whitespace only: that is what lets the
 * policy delete a sentence together with the right amount of space.
 *
 * Sentence ends are `.`, `!`, `?` or `…` (plus closing quotes and brackets)
 * followed by whitespace and a plausible sentence start. A period does not end
 * a sentence after a known abbreviation (e.g., Fig., Prof.), after an initial
 * (J. J. Thomson), or after a section number at the start of a line; decimals
 * never split because no whitespace follows their point.
 */

export interface Span {
  start: number;
  end: number;
}

export interface Sentence extends Span {
  paragraph: number;
}

export interface Segmentation {
  paragraphs: Span[];
  sentences: Sentence[];
}

// Lower-cased, without the final period. Titles and reference words are almost never sentence ends.
const NEVER_FINAL = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'rev', 'gen', 'col', 'capt', 'lt', 'sgt', 'hon', 'messrs', 'mme', 'mlle', 'm',
  'e.g', 'i.e', 'cf', 'viz', 'vs', 'fig', 'figs', 'eq', 'eqs', 'eqn', 'eqns', 'no', 'nos', 'vol', 'vols', 'pp', 'p', 'ch', 'chap', 'sec', 'sect',
  'art', 'arts', 'ed', 'eds', 'op', 'cit', 'ibid', 'approx', 'ca', 'c', 'al', 'resp', 'ref', 'refs', 'par', 'pl', 'lib', 'tab', 'prop', 'def', 'thm', 'lem', 'cor',
  'inst', 'ult', 'prox', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'u.s', 'a.d', 'b.c',
]);
// Words that end a sentence only when what follows starts like a sentence (capital letter).
const SOMETIMES_FINAL = new Set(['etc', 'ft', 'in', 'lbs', 'oz', 'cm', 'mm', 'km', 'sq', 'deg']);

const CLOSERS = new Set([')', ']', '}', '"', "'", '\u201d', '\u2019', '\u00bb', '*', '_']);

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0x3000 || (code >= 0x2000 && code <= 0x200a);
}

const UPPER_START = /[\p{Lu}\p{Lt}\p{N}"'(\[\u201c\u2018\u00ab*_#§¶]/u;
const LOWER_START = /\p{Ll}/u;

/**
 * A line break in a block most of whose characters are in lines of at least this many characters
 * is a paragraph break: nobody wraps lines that long. Web text, Wikipedia and most datasets (C4, FineWeb) write one
 * paragraph per line with no blank line between. Read as one paragraph, an 8,000-character
 * document of a relativity book lost 44% of its text held out, against 93% with blank lines (the
 * passage classifier scores paragraphs, not whole pages; see test/segmenter.test.ts).
 */
export const UNWRAPPED_LINE_CHARS = 200;

/**
 * A block longer than this is cut further: at the ends of its wrapped paragraphs when its lines are
 * wrapped (text extracted from scans or PDFs often has no blank lines), else at sentence ends into
 * pieces of about CHUNK_CHARS. 99.9% of the training books' paragraphs of at least 300 characters
 * are shorter than 4,900.
 */
export const PARAGRAPH_MAX_CHARS = 5000;
const CHUNK_CHARS = 1500;

/** Trims whitespace off both ends; undefined when nothing is left. */
function trimmed(text: string, start: number, end: number): Span | undefined {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end > start ? { start, end } : undefined;
}

/** The lines of `block`, trimmed, empty ones left out. */
function linesOf(text: string, block: Span): Span[] {
  const lines: Span[] = [];
  let from = block.start;
  for (let at = text.indexOf('\n', from); at !== -1 && at < block.end; at = text.indexOf('\n', from)) {
    const line = trimmed(text, from, at);
    if (line) lines.push(line);
    from = at + 1;
  }
  const last = trimmed(text, from, block.end);
  if (last) lines.push(last);
  return lines;
}

const PARAGRAPH_FINAL = /[.!?:\u2026"'\u201d\u2019)\]]$/;

/**
 * Paragraphs of a block of wrapped lines with no blank line between them: a paragraph ends at a line
 * that ends a sentence and stops well short of the block's line width (the width greedy wrapping or
 * justification fills), or before an indented line.
 */
function wrappedParagraphs(text: string, block: Span, lines: Span[]): Span[] {
  const widths = lines.map((line) => line.end - line.start).sort((a, b) => a - b);
  const width = widths[Math.floor(widths.length * 0.9)];
  const paragraphs: Span[] = [];
  let start = lines[0].start;
  lines.forEach((line, index) => {
    const next = lines[index + 1];
    if (!next) return;
    const short = line.end - line.start < 0.8 * width && PARAGRAPH_FINAL.test(text.slice(line.end - 1, line.end));
    const indented = next.start - text.lastIndexOf('\n', next.start) - 1 >= 2;
    if (short || indented) {
      paragraphs.push({ start, end: line.end });
      start = next.start;
    }
  });
  paragraphs.push({ start, end: block.end });
  return paragraphs;
}

/** A piece longer than PARAGRAPH_MAX_CHARS, cut at sentence ends (else at spaces) into pieces of about CHUNK_CHARS. */
function chunks(text: string, piece: Span, out: Span[]): void {
  const sentences: Sentence[] = [];
  splitSentences(text, piece, 0, sentences);
  let start = piece.start;
  for (const sentence of sentences) {
    if (sentence.end - start < CHUNK_CHARS) continue;
    if (sentence.end - start <= PARAGRAPH_MAX_CHARS) {
      out.push({ start, end: sentence.end });
      start = nextNonSpace(text, sentence.end, piece.end);
      continue;
    }
    // No sentence end for too long (a table, a run without punctuation): cut at spaces.
    while (sentence.end - start > PARAGRAPH_MAX_CHARS) {
      let cut = start + CHUNK_CHARS;
      while (cut < sentence.end && cut < start + PARAGRAPH_MAX_CHARS && !isSpace(text.charCodeAt(cut))) cut++;
      // Not inside a surrogate pair.
      if ((text.charCodeAt(cut) & 0xfc00) === 0xdc00) cut++;
      const span = trimmed(text, start, cut);
      if (span) out.push(span);
      start = nextNonSpace(text, cut, piece.end);
    }
    if (sentence.end - start >= CHUNK_CHARS) {
      out.push({ start, end: sentence.end });
      start = nextNonSpace(text, sentence.end, piece.end);
    }
  }
  const rest = trimmed(text, start, piece.end);
  if (rest) out.push(rest);
}

function nextNonSpace(text: string, at: number, end: number): number {
  while (at < end && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** The paragraphs of one block between blank lines. */
function blockParagraphs(text: string, block: Span, out: Span[]): void {
  const length = block.end - block.start;
  // Line breaks, and the characters in lines too long to have been wrapped.
  let breaks = 0;
  let inLongLines = 0;
  let lineStart = block.start;
  for (let at = text.indexOf('\n', block.start); ; at = text.indexOf('\n', at + 1)) {
    const lineEnd = at === -1 || at >= block.end ? block.end : at;
    if (lineEnd - lineStart >= UNWRAPPED_LINE_CHARS) inLongLines += lineEnd - lineStart;
    if (lineEnd === block.end) break;
    breaks++;
    lineStart = lineEnd + 1;
  }
  let pieces: Span[];
  // Mostly long lines: one paragraph per line, with headings, formulas and notes on short lines between.
  if (breaks > 0 && inLongLines >= length / 2) pieces = linesOf(text, block);
  else if (breaks > 0 && length > PARAGRAPH_MAX_CHARS) pieces = wrappedParagraphs(text, block, linesOf(text, block));
  else pieces = [block];
  for (const piece of pieces) {
    if (piece.end - piece.start > PARAGRAPH_MAX_CHARS) chunks(text, piece, out);
    else out.push(piece);
  }
}

/**
 * Paragraphs are separated by blank lines (whitespace-only lines); within a block, by line breaks
 * when its lines are too long to be wrapped (UNWRAPPED_LINE_CHARS), and a block too long to be one
 * paragraph is cut further (PARAGRAPH_MAX_CHARS).
 */
export function splitParagraphs(text: string, limit = Infinity): Span[] {
  const spans: Span[] = [];
  const separator = /\n[^\S\n]*\n\s*/g;
  let from = 0;
  const push = (start: number, end: number) => {
    const block = trimmed(text, start, end);
    if (block) blockParagraphs(text, block, spans);
  };
  for (let match = separator.exec(text); match && spans.length < limit; match = separator.exec(text)) {
    push(from, match.index);
    from = match.index + match[0].length;
  }
  if (spans.length < limit) push(from, text.length);
  return spans.slice(0, limit);
}

/** Whether a document is a single paragraph (or empty): how a corpus of short records is read. */
/** The word that ends at `end` (exclusive), back to whitespace or an opening bracket. */
function wordBefore(text: string, end: number, floor: number): string {
  let start = end;
  while (start > floor && !isSpace(text.charCodeAt(start - 1)) && !'([{"\u201c'.includes(text[start - 1])) start--;
  return text.slice(start, end);
}

function atLineStart(text: string, wordStart: number, floor: number): boolean {
  let at = wordStart - 1;
  while (at >= floor && (text[at] === ' ' || text[at] === '\t')) at--;
  return at < floor || text[at] === '\n';
}

function periodEndsSentence(text: string, dot: number, floor: number, next: string): boolean {
  const word = wordBefore(text, dot, floor);
  const lower = word.toLowerCase();
  if (NEVER_FINAL.has(lower)) return false;
  if (SOMETIMES_FINAL.has(lower)) return UPPER_START.test(next) && !/\p{N}/u.test(next);
  // An initial: "J. J. Thomson", "A. Einstein".
  if (/^\p{Lu}$/u.test(word)) return false;
  // Dotted abbreviations like "e.g" or "U.S" that were not listed.
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word) && word.length <= 5) return UPPER_START.test(next) && !LOWER_START.test(next);
  // A section or list number at the start of a line: "3. The results", "2.1. Method".
  if (/^\d+(?:\.\d+)*$/.test(word) && atLineStart(text, dot - word.length, floor)) return false;
  return true;
}

const FULL_STOP = 0x2e;

function isTerminator(code: number): boolean {
  return code === FULL_STOP || code === 0x21 || code === 0x3f || code === 0x2026;
}

function splitSentences(text: string, paragraph: Span, index: number, out: Sentence[]): void {
  let sentenceStart = paragraph.start;
  let i = paragraph.start;
  while (i < paragraph.end) {
    const code = text.charCodeAt(i);
    if (!isTerminator(code)) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < paragraph.end && (isTerminator(text.charCodeAt(end)) || CLOSERS.has(text[end]))) end++;
    let nextStart = end;
    while (nextStart < paragraph.end && isSpace(text.charCodeAt(nextStart))) nextStart++;
    if (nextStart === end || nextStart >= paragraph.end) {
      i = end;
      continue;
    }
    const next = text[nextStart];
    let boundary: boolean;
    if (code === FULL_STOP) boundary = periodEndsSentence(text, i, sentenceStart, next) && !LOWER_START.test(next);
    else boundary = !LOWER_START.test(next);
    if (boundary) {
      out.push({ start: sentenceStart, end, paragraph: index });
      sentenceStart = nextStart;
    }
    i = nextStart;
  }
  if (paragraph.end > sentenceStart) out.push({ start: sentenceStart, end: paragraph.end, paragraph: index });
}

export function segment(text: string): Segmentation {
  const paragraphs = splitParagraphs(text);
  const sentences: Sentence[] = [];
  paragraphs.forEach((paragraph, index) => splitSentences(text, paragraph, index, sentences));
  return { paragraphs, sentences };
}

/** Whether a blank line (newline, whitespace, newline) starts at `at`. */
function blankLineAt(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 0x0a) return false;
  for (let i = at + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) return true;
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return false;
  }
  return false;
}

const PARAGRAPH_REACH = 20_000;

/**
 * Finds the sentence around a span by segmenting only the paragraph it is in
 * (at most PARAGRAPH_REACH characters either way), for detectors that look
 * at a few places of a long document. Paragraphs already segmented are kept,
 * so many spans in one long paragraph cost one segmentation.
 */
export class SentenceLocator {
  private readonly paragraphs: { span: Span; sentences: Sentence[] }[] = [];

  constructor(private readonly text: string) {}

  around(start: number, end: number): Span {
    const known = this.paragraphs.find(({ span }) => span.start <= start && end <= span.end);
    const paragraph = known ?? this.segmentParagraphAround(start, end);
    return paragraph.sentences.find((sentence) => sentence.start <= start && end <= sentence.end) ?? paragraph.span;
  }

  private segmentParagraphAround(start: number, end: number): { span: Span; sentences: Sentence[] } {
    const text = this.text;
    let from = start;
    const floor = Math.max(0, start - PARAGRAPH_REACH);
    while (from > floor && !blankLineAt(text, from - 1)) from--;
    let to = end;
    const ceiling = Math.min(text.length, end + PARAGRAPH_REACH);
    while (to < ceiling && !blankLineAt(text, to)) to++;
    const sentences: Sentence[] = [];
    for (const paragraph of splitParagraphs(text.slice(from, to))) splitSentences(text, { start: paragraph.start + from, end: paragraph.end + from }, 0, sentences);
    const segmented = { span: { start: from, end: to }, sentences };
    this.paragraphs.push(segmented);
    return segmented;
  }
}
