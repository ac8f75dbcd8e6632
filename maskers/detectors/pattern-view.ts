/**
 * The text a pack's formula patterns read when the folded view (fold.ts) still holds characters a
 * reader does not see. Word readers (the phrase matcher, the passage features) step over IGNORED
 * code units and contextIgnorables' stretches one by one; a regular expression cannot, so
 * "mc\u200b²" (a zero-width space inside it), "mc&sup2;" (an HTML entity) and "Δ m = Δ E /
 * c\u00ad 2" would never match `\bmc2\b` or the flattened forms. This view takes them out:
 *
 * - invisible characters and combining marks (what FOLD sends to IGNORED);
 * - a hyphen at a line break inside a word, with the break (contextIgnorables);
 * - each HTML character reference (`&sup2;`, `&minus;`, `&Delta;`, `&#178;`, `&#x2212;`) read as
 *   the one character it stands for, decoded by the `entities` package (the WHATWG table), so
 *   that a pattern sees exactly what a browser shows.
 *
 * Letter-spaced words stay spaced: flattened formulas are written as spaced single letters ("ξ η ζ
 * τ", "m c 2"), and patterns expect the spaces. LaTeX accents stay too: in a formula `\varphi` and
 * `\cdot` are commands, which the accent rule would read as an accent on a and d.
 *
 * Each character of the view remembers where it came from in the original (`starts`, `ends`: an
 * entity's one character spans the whole reference), so a match maps back to whole original
 * characters and the edit log still replays against the input.
 */
import { characterReferences, contextIgnorables, IGNORED } from './fold.js';
import { foldedView } from './pattern-scanner.js';

export interface PatternView {
  /** The original text with the hidden characters taken out and entities decoded. */
  readonly text: string;
  /** foldedView of `text`, offset for offset. */
  readonly folded: string;
  /** Where each character of the view starts in the original text. */
  readonly starts: Int32Array;
  /** Where each character of the view ends in the original text. */
  readonly ends: Int32Array;
}

const IGNORED_CHAR = String.fromCharCode(IGNORED);

/**
 * The pattern view of `text` (whose foldedView is `folded`), or null when it would be `text`
 * itself: no invisible character, no line-break hyphen, no character reference
 * (most text; the check costs a few searches).
 */
export function patternView(text: string, folded: string): PatternView | null {
  const references = characterReferences(text);
  const skips = contextIgnorables(text, { letterSpacing: false, htmlReferences: false, latexAccents: false });
  const firstIgnored = folded.indexOf(IGNORED_CHAR);
  if (references.length === 0 && skips === null && firstIgnored === -1) return null;
  // What changes, in order: stretches to drop (no `char`) and references to read as one character.
  const changes: { start: number; end: number; char?: string }[] = [...references];
  if (skips) for (let at = 0; at < skips.length; at += 2) changes.push({ start: skips[at], end: skips[at + 1] });
  for (let at = firstIgnored; at !== -1; at = folded.indexOf(IGNORED_CHAR, at + 1)) changes.push({ start: at, end: at + 1 });
  changes.sort((a, b) => a.start - b.start || b.end - a.end);
  // The text between changes is copied in runs (most of a document), each character's offsets filled in.
  const parts: string[] = [];
  const foldedParts: string[] = [];
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  let length = 0;
  const copy = (from: number, to: number) => {
    if (to <= from) return;
    parts.push(text.slice(from, to));
    foldedParts.push(folded.slice(from, to));
    for (let at = from; at < to; at++) {
      starts[length] = at;
      ends[length++] = at + 1;
    }
  };
  let at = 0;
  for (const change of changes) {
    // A change inside one already made (a zero-width space inside a dropped stretch) is part of it.
    if (change.start < at) continue;
    copy(at, change.start);
    const foldedChar = change.char === undefined ? IGNORED_CHAR : foldedView(change.char);
    // A reference to an invisible character (&shy;, &zwj;) is as invisible as the character.
    if (foldedChar !== IGNORED_CHAR) {
      parts.push(change.char!);
      foldedParts.push(foldedChar);
      starts[length] = change.start;
      ends[length++] = change.end;
    }
    at = change.end;
  }
  copy(at, text.length);
  return { text: parts.join(''), folded: foldedParts.join(''), starts: starts.subarray(0, length), ends: ends.subarray(0, length) };
}

/** A match in the view, as offsets into the original text: from its first character's start to its last one's end. */
export function originalSpan(view: PatternView, match: { start: number; end: number }): { start: number; end: number } {
  return { start: view.starts[match.start], end: view.ends[match.end - 1] };
}
