/**
 * Character folding that keeps offsets: every UTF-16 code unit maps to exactly
 * one code unit, so a match in folded text is a match at the same offsets in
 * the original. Folds case, Latin diacritics (Schrödinger → schrodinger),
 * typographic dashes and apostrophes, and every kind of whitespace to a space.
 */
export const SPACE = 0x20;
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
    const lower = char.toLowerCase();
    let folded = lower.length === 1 ? lower.charCodeAt(0) : code;
    const base = String.fromCharCode(folded).normalize('NFD');
    // Keep the base letter when the rest is combining marks (ö → o), never when it expands (ß, æ).
    if (base.length > 1 && /^[\u0300-\u036f]+$/.test(base.slice(1))) folded = base.charCodeAt(0);
    table[code] = folded;
  }
  for (const dash of [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xfe63, 0xff0d]) table[dash] = HYPHEN;
  for (const apostrophe of [0x2018, 0x2019, 0x02bc, 0x2032, 0xff07]) table[apostrophe] = APOSTROPHE;
  return table;
}

export const FOLD = buildFoldTable();

/** Folds a whole string and collapses whitespace runs, as the automaton sees text. Used for patterns, not for documents. */
export function foldPattern(pattern: string): string {
  let out = '';
  let previousSpace = true;
  for (let i = 0; i < pattern.length; i++) {
    const code = FOLD[pattern.charCodeAt(i)];
    if (code === SPACE) {
      if (!previousSpace) out += ' ';
      previousSpace = true;
    } else {
      out += String.fromCharCode(code);
      previousSpace = false;
    }
  }
  return out.trimEnd();
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** Letters, digits and combining marks; ASCII is decided without a regex. */
export function isWordChar(code: number): boolean {
  if (code < 0x80) return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
  return WORD_CHAR.test(String.fromCharCode(code));
}
