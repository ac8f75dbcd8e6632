/**
 * Character folding that keeps offsets: every UTF-16 code unit maps to exactly
 * one code unit, so a match in folded text is a match at the same offsets in
 * the original. Folds case, compatibility forms and diacritics by Unicode
 * NFKD where the result is one base character (Schrödinger → schrodinger,
 * ² → 2, fullwidth Ａ → a), typographic dashes and apostrophes, and every kind
 * of whitespace to a space. Expanding forms (ß, æ, ﬁ) stay as they are.
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
    let folded = code;
    const decomposed = char.normalize('NFKD');
    // Keep the base character when the rest is combining marks (ö → o), never when it expands.
    if (decomposed.length === 1 || (decomposed.length > 1 && /^\p{M}+$/u.test(decomposed.slice(1)))) folded = decomposed.charCodeAt(0);
    const lower = String.fromCharCode(folded).toLowerCase();
    if (lower.length === 1) folded = lower.charCodeAt(0);
    if (/\s/.test(String.fromCharCode(folded))) folded = SPACE;
    table[code] = folded;
  }
  for (const dash of [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xfe63, 0xff0d]) table[dash] = HYPHEN;
  for (const apostrophe of [0x2018, 0x2019, 0x02bc, 0x2032, 0xff07]) table[apostrophe] = APOSTROPHE;
  return table;
}

export const FOLD = buildFoldTable();
