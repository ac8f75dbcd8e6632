/**
 * The normalised view every detector reads, built so that it keeps offsets:
 * every UTF-16 code unit maps to exactly one code unit (or is IGNORED), so a
 * match in the folded text is a match at the same offsets in the original and
 * no offset map is needed. This is a deliberate choice over a normalised copy
 * of the text with a map back: the view costs one table look-up per character,
 * nothing is allocated, and a finding can never land on the wrong bytes.
 *
 * What it folds:
 * - case, compatibility forms and diacritics by Unicode NFKD where the result
 *   is one base character (Schrödinger → schrodinger, ² → 2, fullwidth Ａ → a);
 *   expanding forms (ß, ﬁ) stay as they are;
 * - the ligature æ to e, as modern English respells the words that carry it
 *   (æther → ether, phænomena → phenomena, mediæval, encyclopædia): the
 *   Michelson–Morley paper and a 1911 popular book on the electron write
 *   "æther", and a fold of one letter keeps offsets, where "ae" would not;
 * - confusable letters of other scripts to the Latin letter they imitate
 *   (Cyrillic о, Schrӧdinger's ӧ, Greek capital Ρ), from the Unicode TR39
 *   confusables table as the `unhomoglyph` package ships it. Greek small
 *   letters other than omicron stay Greek: α, ν, γ, ψ are physics, not
 *   disguises (hν is not hv), and so is ħ (ℏ and Ħ read ħ, never h);
 * - typographic dashes and apostrophes, and every kind of whitespace to a space;
 * - invisible characters (zero-width space and joiners, word joiner, soft
 *   hyphen, byte-order mark, bidirectional controls) and combining marks
 *   (the accents of NFD text) to IGNORED: a word reader steps over them, so
 *   "pho\u200btons" and "Schro\u0308dinger" are one word each.
 *
 * Forms that take several characters to undo (a line-break hyphen, a LaTeX
 * accent, an HTML entity) depend on their neighbours: `contextIgnorables`
 * finds them.
 */
import { createRequire } from 'node:module';
import { decodeHTMLStrict } from 'entities';

export const SPACE = 0x20;
/** What invisible characters and combining marks fold to: word readers skip it. */
export const IGNORED = 0xffff;
const HYPHEN = 0x2d;
const APOSTROPHE = 0x27;

function buildFoldTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let code = 0; code < 0x10000; code++) {
    table[code] = code;
    if (code >= 0xd800 && code <= 0xdfff) continue; // surrogate halves: leave as they are
    const char = String.fromCharCode(code);
    if (/\s/.test(char)) {
      table[code] = SPACE;
      continue;
    }
    let folded = code;
    const decomposed = char.normalize('NFKD');
    // Keep the base character when the rest is combining marks (ö → o), never when it expands.
    if (decomposed.length === 1 || (decomposed.length > 1 && /^\p{M}+$/u.test(decomposed.slice(1)))) folded = decomposed.charCodeAt(0);
    const lower = String.fromCharCode(folded).toLowerCase();
    if (lower.length === 1) folded = lower.charCodeAt(0);
    if (/\s/.test(String.fromCharCode(folded))) folded = SPACE;
    table[code] = folded;
  }
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCharCode(code);
    if (/^[\p{Mn}\p{Me}\p{Cf}]$/u.test(char)) table[code] = IGNORED;
  }
  // After the base-letter fold, so Schrӧdinger's Cyrillic ӧ (о + diaeresis) becomes o too.
  const confusables = new Map(confusableLetters());
  for (let code = 0; code < 0x10000; code++) {
    const latin = confusables.get(table[code]) ?? confusables.get(code);
    if (latin !== undefined) table[code] = latin | 0x20;
  }
  for (const dash of [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xfe63, 0xff0d]) table[dash] = HYPHEN;
  for (const apostrophe of [0x2018, 0x2019, 0x02bc, 0x2032, 0xff07]) table[apostrophe] = APOSTROPHE;
  table[0xe6] = table[0xc6] = 0x65; // æ Æ → e
  // ħ is physics, not a disguised h (TR39 lists it as confusable with h): Ħ, ħ and the Planck
  // constant sign ℏ all read ħ, so the pack's ħ pattern can match (folded to h, it never did).
  table[0x126] = table[0x127] = table[0x210f] = 0x127;
  return table;
}

export const FOLD = buildFoldTable();

/**
 * Letters of other scripts that imitate a Latin letter, as [code, Latin code]
 * pairs, from TR39's confusables (unhomoglyph's data.json). Only single letters
 * that map to a single Latin letter (after dropping accents) are taken, and
 * Greek small letters other than omicron are left alone (see above).
 */
function confusableLetters(): [number, number][] {
  const data = createRequire(import.meta.url)('unhomoglyph/data.json') as Record<string, string>;
  const pairs: [number, number][] = [];
  for (const [from, to] of Object.entries(data)) {
    if (from.length !== 1 || from.charCodeAt(0) < 0x80 || !/\p{L}/u.test(from)) continue;
    const code = from.charCodeAt(0);
    if (code >= 0x3b1 && code <= 0x3ff && code !== 0x3bf) continue;
    // Decompose the source first, so a Cyrillic letter with a diaeresis finds its base letter's entry.
    const latin = to.normalize('NFKD').replace(/\p{M}/gu, '');
    if (latin.length !== 1 || !/[A-Za-z]/.test(latin)) continue;
    pairs.push([code, latin.charCodeAt(0)]);
  }
  return pairs;
}

const LETTER = /^\p{L}/u;
const LOWER_CASE_LETTER = /^\p{Ll}/u;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** The code point that ends just before `at`, as a string (a surrogate pair whole). */
function codePointBefore(text: string, at: number): string {
  const low = text.charCodeAt(at - 1);
  const pair = low >= 0xdc00 && low <= 0xdfff && at >= 2;
  return text.slice(pair ? at - 2 : at - 1, at);
}

/** Past spaces and tabs from `at`. */
function skipBlanks(text: string, at: number): number {
  while (text.charCodeAt(at) === SPACE || text.charCodeAt(at) === TAB) at++;
  return at;
}

/**
 * Each hyphen at a line break inside a word ("pho-\ntons"), with the break and the blanks around it:
 * a letter, a hyphen, blanks, a line break, blanks and a lower-case letter. Searched for hyphen by
 * hyphen rather than by a regular expression, whose lookbehind cost 4% of the default detectors.
 */
function collectLineBreakHyphens(text: string, spans: [number, number][]): void {
  for (let at = text.indexOf('-'); at !== -1; at = text.indexOf('-', at + 1)) {
    if (at === 0) continue;
    let end = skipBlanks(text, at + 1);
    if (text.charCodeAt(end) === CARRIAGE_RETURN) end++;
    if (text.charCodeAt(end) !== LINE_FEED) continue;
    end = skipBlanks(text, end + 1);
    if (!LOWER_CASE_LETTER.test(text.slice(end, end + 2)) || !LETTER.test(codePointBefore(text, at))) continue;
    spans.push([at, end]);
    at = end - 1;
  }
}

/** A LaTeX accent on one letter: `\"o`, `\"{o}`, `{\"o}`; group 1 is the letter. */
const LATEX_ACCENT = /\{?\\["'^`~=.Hcuv]\{?(\p{L})\}?\}?/gu;
const HTML_ACCENTS = ['uml', 'acute', 'grave', 'circ', 'tilde', 'ring', 'cedil', 'slash'];
const ASCII_LETTER = /^[A-Za-z]$/;

/** An HTML character reference: named (a letter, then at most 31 letters and digits), decimal or hexadecimal. */
const CHARACTER_REFERENCE = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;

export interface CharacterReference {
  start: number;
  end: number;
  /** The one UTF-16 code unit it stands for. */
  char: string;
}

/**
 * Each HTML character reference of `text` (`&sup2;`, `&shy;`, `&#178;`, `&#x2212;`) that stands for
 * one UTF-16 code unit, in order, decoded by the `entities` package (the WHATWG table). An unknown
 * name, or a reference to two characters or an astral one, is left out: no word or formula needs one.
 */
export function characterReferences(text: string): CharacterReference[] {
  if (!text.includes('&')) return [];
  const references: CharacterReference[] = [];
  CHARACTER_REFERENCE.lastIndex = 0;
  for (let match = CHARACTER_REFERENCE.exec(text); match; match = CHARACTER_REFERENCE.exec(text)) {
    const char = decodeHTMLStrict(match[0]);
    if (char === match[0] || char.length !== 1) continue;
    references.push({ start: match.index, end: match.index + match[0].length, char });
  }
  return references;
}

const WORD_CHARACTER = /^[\p{L}\p{N}\p{M}]$/u;

/**
 * Each HTML character reference of `text` that a word reader reads as part of a word: one that
 * stands for a letter or digit (`&#246;`, `&aelig;`, `&psi;`: "Schr&#246;dinger" is Schrödinger) or
 * for an apostrophe (`&#39;`, `&rsquo;`: "Planck&#39;s constant" is Planck's), or null when there is
 * none. `codes` holds the characters they stand for.
 */
export function wordReferences(text: string): { starts: Int32Array; ends: Int32Array; codes: Uint16Array } | null {
  const references = characterReferences(text).filter(({ char }) => WORD_CHARACTER.test(char) || FOLD[char.charCodeAt(0)] === APOSTROPHE);
  if (references.length === 0) return null;
  return { starts: Int32Array.from(references, (r) => r.start), ends: Int32Array.from(references, (r) => r.end), codes: Uint16Array.from(references, (r) => r.char.charCodeAt(0)) };
}

/**
 * Each HTML character reference of `text` that stands for whitespace (`&nbsp;`, `&thinsp;`,
 * `&#160;`), as sorted [start, end) pairs, or null when there is none: a word reader reads it as
 * the space between two words ("wave&nbsp;function" is the phrase "wave function").
 */
export function spaceReferences(text: string): Int32Array | null {
  const spans = characterReferences(text).filter(({ char }) => FOLD[char.charCodeAt(0)] === SPACE);
  return spans.length === 0 ? null : Int32Array.from(spans.flatMap(({ start, end }) => [start, end]));
}

/**
 * What a word reader steps over in HTML character references: the markup of a letter entity (`&`
 * and `uml;` of `&ouml;`, so the o is read) and the whole of a reference to an invisible character
 * (`&shy;`, `&zwnj;`, `&#8203;`), as the character itself would be.
 */
function collectHtmlReferences(text: string, spans: [number, number][]): void {
  for (const { start, end, char } of characterReferences(text)) {
    if (FOLD[char.charCodeAt(0)] === IGNORED) {
      spans.push([start, end]);
      continue;
    }
    if (!ASCII_LETTER.test(text.charAt(start + 1))) continue;
    const accent = HTML_ACCENTS.find((name) => text.startsWith(name, start + 2) && start + 3 + name.length === end);
    if (accent !== undefined) spans.push([start, start + 1], [start + 2, end]);
  }
}

/** Four or more single letters one space apart, not touching a longer word; tried only where one may start. */
const LETTER_SPACED = /(?<![\p{L}\p{N}])\p{L}(?: \p{L}){3,}(?![\p{L}\p{N}])/uy;

/**
 * The letter-spaced words of `text` ("r e l a t i v i t y", as spaced headings and evasive text
 * write them). Each holds three spaces two apart (" e l a"), so the pattern is tried only at the
 * letter before such a space: over the whole text, its lookbehind and Unicode classes cost 4% of
 * the default detectors' time.
 */
function letterSpacedWords(text: string): [number, number][] {
  const words: [number, number][] = [];
  for (let at = text.indexOf(' '); at !== -1 && at + 4 < text.length; at = text.indexOf(' ', at + 1)) {
    if (at === 0 || text.charCodeAt(at + 2) !== SPACE || text.charCodeAt(at + 4) !== SPACE) continue;
    LETTER_SPACED.lastIndex = at - 1;
    const match = LETTER_SPACED.exec(text);
    if (!match) continue;
    words.push([match.index, match.index + match[0].length]);
    at = match.index + match[0].length - 1;
  }
  return words;
}

/** The spaces inside each letter-spaced word. */
function collectLetterSpacing(words: [number, number][], text: string, spans: [number, number][]): void {
  for (const [start, end] of words) {
    for (let at = start; at < end; at++) if (text.charCodeAt(at) === SPACE) spans.push([at, at + 1]);
  }
}

/** The markup around each LaTeX-accented letter: everything in the match but the letter itself. */
function collectLatexAccents(text: string, spans: [number, number][]): void {
  LATEX_ACCENT.lastIndex = 0;
  for (let match = LATEX_ACCENT.exec(text); match; match = LATEX_ACCENT.exec(text)) {
    const start = match.index;
    let end = start + match[0].length;
    // Closing braces belong to the accent only as far as it opened them: `\"o}` keeps its `}`.
    const opened = (match[0].startsWith('{') ? 1 : 0) + (match[0].slice(1).includes('{') ? 1 : 0);
    const closed = match[0].length - match[0].replace(/\}+$/, '').length;
    end -= Math.max(0, closed - opened);
    const letter = text.indexOf(match[1], start + 2);
    spans.push([start, letter]);
    if (end > letter + match[1].length) spans.push([letter + match[1].length, end]);
  }
}

/**
 * Stretches of `text` that a word reader should step over because of their
 * neighbours, as sorted, disjoint [start, end) pairs; null when there are
 * none (most text: the check is three quick searches):
 * - a hyphen at a line break inside a word, with the break ("pho-\ntons");
 * - the markup of a LaTeX accent (`Schr\"odinger`, `Schr\"{o}dinger`, `{\"o}`);
 * - the markup of an HTML letter entity (`Schr&ouml;dinger`: `&` and `uml;`), and the whole of a
 *   reference to an invisible character (`rela&shy;tivity`);
 * - the spaces inside a letter-spaced word ("r e l a t i v i t y", as spaced
 *   headings and evasive text write it): four or more single letters, one space apart.
 * The pattern view (pattern-view.ts) asks for the line-break hyphens alone: it decodes every
 * character reference itself, formulas are written as spaced single letters, and in a formula
 * `\varphi` or `\cdot` is a command, not an accent on a or d.
 */
export function contextIgnorables(text: string, { letterSpacing = true, htmlReferences = true, latexAccents = true }: { letterSpacing?: boolean; htmlReferences?: boolean; latexAccents?: boolean } = {}): Int32Array | null {
  const hasLatex = latexAccents && text.includes('\\');
  const hasEntity = htmlReferences && text.includes('&');
  const spaced = letterSpacing ? letterSpacedWords(text) : [];
  // Line-break hyphens are collected first, hyphen by hyphen: as cheap as searching for them.
  const spans: [number, number][] = [];
  collectLineBreakHyphens(text, spans);
  if (spans.length === 0 && !hasLatex && !hasEntity && spaced.length === 0) return null;
  if (hasLatex) collectLatexAccents(text, spans);
  if (hasEntity) collectHtmlReferences(text, spans);
  collectLetterSpacing(spaced, text, spans);
  if (spans.length === 0) return null;
  spans.sort((a, b) => a[0] - b[0]);
  // Touching stretches are one (`{` then `\"` in `{\"o}`).
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return Int32Array.from(merged.flat());
}
