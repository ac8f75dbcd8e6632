/**
 * The matching key of a word: folded (case, diacritics, typographic
 * apostrophes), possessive and inner apostrophes removed, then the first step of Porter's stemmer
 * from natural (plurals, -ed, -ing, y→i). Only step 1: the full algorithm
 * conflates derivations a mask must keep apart ("relativity", "relative" and
 * "relation" all become "rel"; "general" and "generally" both "gener"), while
 * step 1 folds just the inflections ("quantum numbers" → "quantum number").
 * Irregular plurals (quanta, nuclei, spectra) are listed as pack variants.
 */
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { FOLD, IGNORED } from './fold.js';

const POSSESSIVE = /'s$|'$/;

export function foldWord(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const code = FOLD[word.charCodeAt(i)];
    if (code !== IGNORED) out += String.fromCharCode(code);
  }
  return out;
}

export function stemKey(word: string): string {
  // An apostrophe left inside the word (French l'équation, d'un) goes too: the phrase matcher reads
  // a word across it without a step, so a key that kept it could never be reached.
  const folded = foldWord(word).replace(POSSESSIVE, '').replaceAll("'", '');
  // Porter is defined on lower-case letters; a token with digits (mc2, 1905) is its own key.
  if (folded.length < 3 || /[^a-z]/.test(folded)) return folded;
  return PorterStemmer.step1c(PorterStemmer.step1b(PorterStemmer.step1a(folded)));
}
