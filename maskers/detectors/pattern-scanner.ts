/**
 * Runs one pack pattern over a text, safely and fast.
 *
 * Safe: the pattern cannot backtrack catastrophically (see linear-regexp.ts).
 * Fast: a document is read by some ninety patterns, so each runs only on
 * windows of text around an *anchor*, a literal that every
 * match must contain (found by reading the pattern: "e = m c" in
 * `\be\s*=\s*m\s*c...`, a run of literals that continues across whitespace
 * however much of it the text has; see GappedAnchor), or around any of a set
 * of them when every match
 * contains one of the alternatives of a group (`fifth` or `quintic` in
 * `\b(fifth|quintic)\b...`). Anchors are located with indexOf, in lower, upper
 * and title case (every mix of cases for a short one: kBq, mSv), which is as fast as string search gets; a pattern without a
 * usable anchor runs on the whole text. Windows reach `WINDOW`
 * characters either side of an anchor, `CLAUSE_WINDOW` for patterns that can
 * run over a clause (a class, group or dot repeated without bound, as in
 * `fifth[^.]*cannot`), and are widened to whitespace, so `\b` and the like see
 * the same neighbours as in the full text. A match reaching farther from its
 * anchor than that is not found.
 */
import { FOLD } from './fold.js';
import { linearRegExp } from './linear-regexp.js';

export const WINDOW = 64;
export const CLAUSE_WINDOW = 240;
/** An unbounded repetition of a class, group or dot: the pattern can span a clause. */
const SPANS_A_CLAUSE = /[\].)][*+]/;
const ESCAPES_THAT_ARE_CLASSES = new Set(['s', 'S', 'd', 'D', 'w', 'W', 'b', 'B', 'p', 'P', 'k', 'c', 'u', 'x', 'n', 'r', 't', 'f', 'v', '0']);

interface Atom {
  literal: string | undefined;
  /** Whitespace (`\s` or a space, with any quantifier): an anchor run may continue across it. */
  gap?: boolean;
  /** For a group of plain literals joined by `|` (`(fifth|quintic)`): those literals. */
  alternatives?: string[];
  /** Whether the atom must occur at least once in every match. */
  required: boolean;
}

/** The alternatives of a group body made only of plain literals (`fifth|5th|quintic`); undefined otherwise. */
function literalAlternatives(body: string): string[] | undefined {
  const alternatives = body.replace(/^\?:/, '').split('|');
  if (alternatives.some((alternative) => alternative.length === 0 || !/^[a-z0-9 '\-]+$/.test(alternative))) return undefined;
  return alternatives;
}

/** Splits a pattern into top-level atoms; undefined when it has a top-level alternation (no single anchor). */
function topLevelAtoms(source: string): Atom[] | undefined {
  const atoms: Atom[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    let literal: string | undefined;
    let alternatives: string[] | undefined;
    const gap = char === ' ' || (char === '\\' && source[i + 1] === 's');
    if (char === '|') return undefined;
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      literal = ESCAPES_THAT_ARE_CLASSES.has(next) || /[1-9]/.test(next) ? undefined : next;
      i += next === 'p' || next === 'P' ? source.indexOf('}', i) + 1 || source.length : 2;
    } else if (char === '[') {
      let end = i + 1;
      while (end < source.length && source[end] !== ']') end += source[end] === '\\' ? 2 : 1;
      i = end + 1;
    } else if (char === '(') {
      let depth = 0;
      let end = i;
      for (; end < source.length; end++) {
        if (source[end] === '\\') end++;
        else if (source[end] === '(') depth++;
        else if (source[end] === ')' && --depth === 0) break;
      }
      alternatives = literalAlternatives(source.slice(i + 1, end));
      i = end + 1;
    } else {
      literal = char === '.' || char === '^' || char === '$' ? undefined : char;
      i++;
    }
    // A quantifier that allows zero occurrences makes the atom optional.
    let required = true;
    const quantifier = /^(?:[?*]|\{0*(?:,\d*)?\}|\{0,?\d*\}|\+|\{\d+(?:,\d*)?\})\??/.exec(source.slice(i));
    if (quantifier) {
      required = quantifier[0][0] === '+' || /^\{[1-9]/.test(quantifier[0]);
      i += quantifier[0].length;
    }
    atoms.push({ literal, alternatives, required, gap });
  }
  return atoms;
}

/** In an anchor, a place where the text may hold any run of whitespace, none included (`\s*`). */
export const GAP = ' ';

/**
 * Literals one of which every match contains: the longest run of required literal atoms
 * (punctuation preferred), or else the alternatives of the first required group of plain
 * literals (each cut to its longest word, since the text may break a line between words).
 * A run continues across whitespace (GAP): `\be\s*=\s*m\s*c` is anchored on "e = m c",
 * which is rare, where "=" alone is in every line of a derivation and made E = mc², E = hf and
 * mc² a third of the default detectors' time.
 */
export function anchorsOf(source: string): string[] | undefined {
  const atoms = topLevelAtoms(source);
  if (!atoms) return undefined;
  let best: string | undefined;
  let bestScore = 0;
  let run = '';
  const consider = () => {
    run = run.endsWith(GAP) ? run.slice(0, -1) : run;
    if (!run) return;
    const literals = run.split(GAP).join('');
    // Longer is rarer; so is punctuation, and most of all a character outside ASCII: the φ of
    // "hf − φ" is a better anchor than its "h f", which every h of a text starts.
    const score = literals.length * 10 + (/[^a-z0-9]/.test(literals) ? 5 : 0) + (/[^\x00-\x7f]/.test(literals) ? 20 : 0);
    if (score > bestScore) {
      best = run;
      bestScore = score;
    }
    run = '';
  };
  for (const atom of atoms) {
    if (atom.literal !== undefined && atom.required && !/\s/.test(atom.literal)) run += atom.literal;
    else if (atom.gap) run += run && !run.endsWith(GAP) ? GAP : '';
    else consider();
  }
  consider();
  if (best !== undefined) return [best];
  const group = atoms.find((atom) => atom.required && atom.alternatives);
  return group?.alternatives!.map((alternative) => alternative.split(' ').reduce((longest, word) => (word.length > longest.length ? word : longest), ''));
}

const SEPARATOR = '\u0000';
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Folded as fold.ts folds, through native lower-casing when the text is ASCII (most windows). The
 * same length as `text`, offset for offset: a match in it is a match at the same offsets of `text`.
 */
export function foldedView(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  // The few characters outside ASCII through the table, then native lower-casing for the rest:
  // nothing the table gives back changes under lower-casing, and İ (the one letter whose lower
  // case is two code units) is gone by then, so offsets hold.
  return text.replace(NON_ASCII, foldChar).toLowerCase();
}

const NON_ASCII = /[^\x00-\x7f]/g;
function foldChar(char: string): string {
  return String.fromCharCode(FOLD[char.charCodeAt(0)]);
}

function isSpace(code: number): boolean {
  return FOLD[code] === 0x20;
}

/**
 * The forms an anchor may take in unfolded text: lower, upper and title case, and for an anchor of
 * up to SHORT_ANCHOR letters every mix of cases, since units mix them (kBq, mSv).
 */
const SHORT_ANCHOR = 3;
export function anchorCasings(anchor: string): string[] {
  // A symbol outside ASCII (ħ, ν) is looked for in every form that folds to it (ℏ reads ħ): such
  // symbols have few. An ASCII letter has dozens of look-alikes, each one more pass over the text.
  if (anchor.length === 1 && anchor.charCodeAt(0) > 0x7f) return foldsTo(FOLD[anchor.charCodeAt(0)]);
  if (anchor.length > SHORT_ANCHOR) {
    // Title case capitalises the first letter, after any markup: \Psi and \Delta as LaTeX writes them.
    const first = Math.max(0, anchor.search(/\p{L}/u));
    return [...new Set([anchor, anchor.toUpperCase(), anchor.slice(0, first) + anchor[first].toUpperCase() + anchor.slice(first + 1)])];
  }
  let forms = [''];
  for (const char of anchor) forms = forms.flatMap((form) => [...new Set([form + char.toLowerCase(), form + char.toUpperCase()])]);
  return forms;
}

/** Every UTF-16 code unit (surrogate halves aside) that folds to `folded`. */
function foldsTo(folded: number): string[] {
  const forms: string[] = [];
  for (let code = 0; code < 0x10000; code++) if (FOLD[code] === folded && (code < 0xd800 || code > 0xdfff)) forms.push(String.fromCharCode(code));
  return forms;
}

/**
 * An anchor with gaps ("e = m c"), found by one of its characters (the pivot: punctuation if it
 * has any, which has no case) and checked around it in the folded view, whitespace skipped at the
 * gaps: what the pattern's literals and `\s*` would accept, or more, never less.
 */
class GappedAnchor {
  /** Folded character codes; GAP_CODE where whitespace may be. */
  private readonly codes: number[];
  private readonly pivot: number;
  readonly pivotForms: string[];
  /**
   * What is looked for in the folded view: the anchor's longest piece between gaps when it has three
   * characters or more ("atomic" of "atomic number", not every a), else the pivot; `probeAt` is
   * where it starts in the anchor.
   */
  readonly foldedProbe: string;
  readonly probeAt: number;

  /** `cased`: the anchor is compared with the text as written, not folded. */
  constructor(
    anchor: string,
    private readonly cased = false,
  ) {
    this.codes = Array.from(anchor, (char) => (char === GAP ? GAP_CODE : char.charCodeAt(0)));
    // The rarest character is the cheapest to look for: each place the text has it is checked.
    const chars = Array.from(anchor);
    let pivot = 0;
    chars.forEach((char, index) => {
      if (char !== GAP && rarity(char) < rarity(chars[pivot])) pivot = index;
    });
    this.pivot = pivot;
    this.pivotForms = cased ? [anchor[this.pivot]] : anchorCasings(anchor[this.pivot]);
    let longest = { at: 0, text: '' };
    let at = 0;
    for (const piece of anchor.split(GAP)) {
      if (piece.length > longest.text.length) longest = { at, text: piece };
      at += piece.length + GAP.length;
    }
    const useLongest = longest.text.length >= 3;
    this.probeAt = useLongest ? longest.at : this.pivot;
    this.foldedProbe = useLongest ? foldedView(longest.text) : String.fromCharCode(FOLD[anchor.charCodeAt(this.pivot)]);
  }

  private code(text: string, at: number): number {
    return this.cased ? text.charCodeAt(at) : FOLD[text.charCodeAt(at)];
  }

  /** Whether the anchor is in `text` with its character `pivot` (by default the pivot) at `at`. */
  holdsAt(text: string, at: number, pivot = this.pivot): boolean {
    let position = at + 1;
    for (let index = pivot + 1; index < this.codes.length; index++) {
      if (this.codes[index] === GAP_CODE) while (position < text.length && isSpace(text.charCodeAt(position))) position++;
      else if (position >= text.length || this.code(text, position++) !== this.codes[index]) return false;
    }
    position = at - 1;
    for (let index = pivot - 1; index >= 0; index--) {
      if (this.codes[index] === GAP_CODE) while (position >= 0 && isSpace(text.charCodeAt(position))) position--;
      else if (position < 0 || this.code(text, position--) !== this.codes[index]) return false;
    }
    return true;
  }
}
const GAP_CODE = -1;

/**
 * ASCII punctuation and digits from rarest to most common in the folded text of the bench corpus
 * (13.4 MB of ../shared: `,` 153,000 times, `2` 39,000, `=` 12,800, `/` 2,700). Letters are more
 * common still, and a character outside ASCII (ξ, δ, λ, γ) rarer than any: "ξ , η , ζ , τ" is
 * looked for at its ξ, not at every comma, which had made it the costliest anchor of the pack.
 */
const ASCII_FROM_RAREST = '#~%>?<!@`*/|":[]&+9;7=658\'4^3()02-_{}1\\$.,';

/** How common a character is, for choosing which to look for: lower is rarer. */
function rarity(char: string): number {
  if (char.charCodeAt(0) > 0x7f) return -1;
  const rank = ASCII_FROM_RAREST.indexOf(char);
  return rank >= 0 ? rank : ASCII_FROM_RAREST.length;
}

/**
 * Where each literal occurs in one folded text, searched for at its first asking (indexOf, every
 * occurrence, overlapping ones included): the patterns of a pack share a dozen literals between
 * them. One per text: the offsets are only good for the text they were found in.
 */
export class ProbeHits {
  private readonly found = new Map<string, number[]>();

  of(folded: string, probe: string): number[] {
    let hits = this.found.get(probe);
    if (hits === undefined) {
      hits = [];
      for (let at = folded.indexOf(probe); at !== -1; at = folded.indexOf(probe, at + 1)) hits.push(at);
      this.found.set(probe, hits);
    }
    return hits;
  }
}

export class PatternScanner {
  private readonly regex: RegExp;
  /** The anchors without gaps in the forms they may take in unfolded text (lower, upper and title case). */
  private readonly anchorForms: string[] | undefined;
  /** The same anchors folded, to look for in the folded view of a text. */
  private readonly foldedAnchors: string[];
  private readonly gapped: GappedAnchor[];
  private readonly window: number;

  /** Whether the pattern runs on the text as written (a pack's `casedPatterns`) rather than folded. */
  private readonly cased: boolean;

  constructor(
    readonly source: string,
    { cased = false }: { cased?: boolean } = {},
  ) {
    this.cased = cased;
    this.regex = linearRegExp(source);
    const anchors = anchorsOf(source);
    this.window = SPANS_A_CLAUSE.test(source) ? CLAUSE_WINDOW : WINDOW;
    this.anchorForms = anchors && [...new Set(anchors.filter((anchor) => !anchor.includes(GAP)).flatMap((anchor) => (cased ? [anchor] : anchorCasings(anchor))))];
    this.foldedAnchors = [...new Set((anchors ?? []).filter((anchor) => !anchor.includes(GAP)).map(foldedView))];
    this.gapped = (anchors ?? []).filter((anchor) => anchor.includes(GAP)).map((anchor) => new GappedAnchor(anchor, cased));
  }

  private windows(text: string, folded: string | undefined, found: ProbeHits): [number, number][] {
    if (!this.anchorForms) return [[0, text.length]];
    const hits: number[] = [];
    if (folded !== undefined && !this.cased) {
      // In the folded view one form of each anchor finds every way the text writes it: any case,
      // a superscript ² for 2 (mc²), a look-alike letter, a fullwidth form.
      // One by one, not spread: a long document can hold more hits than a call takes arguments.
      for (const anchor of this.foldedAnchors) for (const at of found.of(folded, anchor)) hits.push(at);
      for (const anchor of this.gapped) for (const at of found.of(folded, anchor.foldedProbe)) if (anchor.holdsAt(text, at, anchor.probeAt)) hits.push(at);
    } else {
      for (const form of this.anchorForms) for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) hits.push(at);
      for (const anchor of this.gapped) {
        for (const form of anchor.pivotForms) for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) if (anchor.holdsAt(text, at)) hits.push(at);
      }
    }
    hits.sort((a, b) => a - b);
    const windows: [number, number][] = [];
    for (const hit of hits) {
      let start = Math.max(0, hit - this.window);
      let end = Math.min(text.length, hit + this.window);
      // Widen to whitespace (within one more window) so the regex sees whole words at the edges.
      for (let limit = Math.max(0, start - this.window); start > limit && !isSpace(text.charCodeAt(start - 1)); ) start--;
      for (let limit = Math.min(text.length, end + this.window); end < limit && !isSpace(text.charCodeAt(end)); ) end++;
      const last = windows[windows.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else windows.push([start, end]);
    }
    return windows;
  }

  /**
   * Matches as offsets into `text`. `folded`, when given, is foldedView(text): a detector that runs
   * many patterns over one document folds it once for all of them, and passes them one `probeHits`
   * for that folded text, so that a literal several patterns look for (`=` of E = mc², E = hf,
   * λ = h/p…) is searched for once.
   */
  scan(text: string, folded?: string, probeHits = new ProbeHits()): { start: number; end: number }[] {
    const windows = this.windows(text, folded, probeHits);
    if (windows.length === 0) return [];
    // All windows of the text go through the regex in one string, separated by NUL, which no
    // whitespace or word-boundary construct matches: one call instead of one per window, which
    // matters because each call into the linear engine has a fixed cost.
    const starts: number[] = [];
    const parts: string[] = [];
    let joinedLength = 0;
    for (const [start, end] of windows) {
      starts.push(joinedLength);
      const part = this.cased ? text.slice(start, end) : folded !== undefined ? folded.slice(start, end) : foldedView(text.slice(start, end));
      parts.push(part);
      joinedLength += part.length + 1;
    }
    const joined = parts.join(SEPARATOR);
    const found: { start: number; end: number }[] = [];
    this.regex.lastIndex = 0;
    for (let match = this.regex.exec(joined); match; match = this.regex.exec(joined)) {
      if (match[0].length === 0) {
        this.regex.lastIndex++;
        continue;
      }
      if (match[0].includes(SEPARATOR)) continue;
      // The window the match starts in: the last whose start is at or before it.
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle] <= match.index) low = middle;
        else high = middle - 1;
      }
      const offset = windows[low][0] - starts[low];
      found.push({ start: match.index + offset, end: match.index + match[0].length + offset });
    }
    return found;
  }
}
