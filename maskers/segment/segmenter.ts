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

/** Paragraphs are separated by blank lines (whitespace-only lines). */
export function splitParagraphs(text: string, limit = Infinity): Span[] {
  const spans: Span[] = [];
  const separator = /\n[^\S\n]*\n\s*/g;
  let from = 0;
  const push = (start: number, end: number) => {
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    if (end > start) spans.push({ start, end });
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
