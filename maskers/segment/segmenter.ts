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
 * What joins records that are parts of one work (`--context-field`) into the one text they are
 * detected and decided as: a paragraph break, so no paragraph or sentence reaches across it.
 */
export const TOGETHER_SEPARATOR = '\n\n';

/** `texts` joined by TOGETHER_SEPARATOR, and where each of them lies in the joined text. */
export function joinTogether(texts: readonly string[]): { text: string; spans: Span[] } {
  const spans: Span[] = [];
  let start = 0;
  for (const text of texts) {
    spans.push({ start, end: start + text.length });
    start += text.length + TOGETHER_SEPARATOR.length;
  }
  return { text: texts.join(TOGETHER_SEPARATOR), spans };
}

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
 * Lines of wrapped prose with a blank line after each (double-spaced text, some OCR and PDF
 * extractions) are each a block of their own: too short to be judged (a passage finding needs
 * PASSAGE_MIN_CHARS), they hid relativity books from the passage classifier (held out, 18% of
 * Einstein's *Relativity* removed in such documents against 93%). A run of at least WRAPPED_RUN
 * one-line blocks no longer than WRAPPED_LINE_CHARS, most of which stop mid-sentence and most of
 * which the next goes on in lower case, is read as the wrapped lines of its paragraphs
 * (wrappedParagraphs). A list, a table of contents, verse, code or a table does not do both, and
 * stays as it is.
 */
const WRAPPED_LINE_CHARS = 120;
const WRAPPED_RUN = 4;
const SENTENCE_STOP = /[.!?:;]["'\u201d\u2019)\]]*$/;

function isWrappedLine(text: string, span: Span): boolean {
  const length = span.end - span.start;
  if (length > WRAPPED_LINE_CHARS) return false;
  const newline = text.indexOf('\n', span.start);
  return newline === -1 || newline >= span.end;
}

function joinWrappedLines(text: string, spans: Span[]): Span[] {
  const out: Span[] = [];
  let at = 0;
  while (at < spans.length) {
    let end = at;
    while (end < spans.length && isWrappedLine(text, spans[end])) end++;
    const run = spans.slice(at, end);
    const midSentence = run.filter((line) => !SENTENCE_STOP.test(text.slice(Math.max(line.start, line.end - 4), line.end))).length;
    // Wrapped prose goes on in lower case on most lines; lists, headers, code and tables do not.
    const goesOn = run.slice(1).filter((line) => LOWER_START.test(text[line.start])).length;
    if (run.length >= WRAPPED_RUN && midSentence * 2 > run.length && goesOn * 2 >= run.length - 1) {
      out.push(...wrappedParagraphs(text, { start: run[0].start, end: run[run.length - 1].end }, run));
      at = end;
    } else if (run.length > 0) {
      out.push(...run);
      at = end;
    } else out.push(spans[at++]);
  }
  return out;
}

/**
 * Paragraphs are separated by blank lines (whitespace-only lines); within a block, by line breaks
 * when its lines are too long to be wrapped (UNWRAPPED_LINE_CHARS), and a block too long to be one
 * paragraph is cut further (PARAGRAPH_MAX_CHARS); runs of wrapped lines with a blank line after
 * each are joined into their paragraphs (joinWrappedLines). `limit` keeps only the first paragraphs.
 */
export function splitParagraphs(text: string, limit = Infinity): Span[] {
  const spans: Span[] = [];
  const separator = /\n[^\S\n]*\n\s*/g;
  let from = 0;
  const push = (start: number, end: number) => {
    const block = trimmed(text, start, end);
    if (block) blockParagraphs(text, block, spans);
  };
  for (let match = separator.exec(text); match; match = separator.exec(text)) {
    push(from, match.index);
    from = match.index + match[0].length;
  }
  push(from, text.length);
  const paragraphs = joinWrappedLines(text, spans);
  return limit < paragraphs.length ? paragraphs.slice(0, limit) : paragraphs;
}

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

/** The index of the last span that starts at or before `at` (spans in order), or -1. */
function lastStartingAtOrBefore(spans: readonly Span[], at: number): number {
  let low = 0;
  let high = spans.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (spans[middle].start <= at) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
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
 * A document up to this long is segmented whole the first time a sentence is asked of it, so the
 * sentences the detectors judge are the ones the policy removes (wrapped lines with a blank line
 * after each are joined across those blank lines: see joinWrappedLines). A longer one is
 * segmented a paragraph at a time around what is asked (50 MB in one record stays cheap).
 */
const WHOLE_DOCUMENT_CHARS = 1_000_000;

/**
 * Finds the sentence around a span, for detectors that look at a few places of a document. A
 * document of at most WHOLE_DOCUMENT_CHARS is segmented once, whole; a longer one only in the
 * paragraph around each span (at most PARAGRAPH_REACH characters either way), and paragraphs
 * already segmented are kept, so many spans in one long paragraph cost one segmentation.
 */
export class SentenceLocator {
  private readonly paragraphs: { span: Span; sentences: Sentence[] }[] = [];
  private whole: Segmentation | undefined;

  constructor(private readonly text: string) {}

  around(start: number, end: number): Span {
    if (this.text.length <= WHOLE_DOCUMENT_CHARS) return this.aroundInWhole(start, end);
    const known = this.paragraphs.find(({ span }) => span.start <= start && end <= span.end);
    const paragraph = known ?? this.segmentParagraphAround(start, end);
    return paragraph.sentences.find((sentence) => sentence.start <= start && end <= sentence.end) ?? paragraph.span;
  }

  private aroundInWhole(start: number, end: number): Span {
    const { sentences, paragraphs } = (this.whole ??= segment(this.text));
    const sentence = sentences[lastStartingAtOrBefore(sentences, start)];
    if (sentence && end <= sentence.end) return sentence;
    const paragraph = paragraphs[lastStartingAtOrBefore(paragraphs, start)];
    if (paragraph && end <= paragraph.end) return paragraph;
    return { start, end };
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
