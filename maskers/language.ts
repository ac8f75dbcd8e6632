/**
 * Which documents are plainly not in the pack's language. A pack's vocabulary, claims and
 * classifier read one language; a German or French text about relativity goes through them
 * almost untouched, and a run that does not say so overstates what it removed. So each document
 * is looked at once: a sample of its opening, and only when that sample does not read as the
 * pack's language by a cheap test of its commonest words is it given to franc (trigram language
 * identification, franc-min: 82 languages, pure JavaScript) to name the language.
 */
import { franc } from 'franc-min';

/** Characters of the opening looked at: enough for franc, little enough to cost nothing. */
export const LANGUAGE_SAMPLE_CHARS = 2_000;
/** Fewer letters than this and the document is too short to tell: it counts as the pack's. */
export const LANGUAGE_MIN_LETTERS = 200;

/** ISO 639-1 (packs) to ISO 639-3 (franc), for the languages a pack is likely to be written in. */
const ISO_639_3: Record<string, string> = { en: 'eng', de: 'deu', fr: 'fra', es: 'spa', it: 'ita', la: 'lat', nl: 'nld', pt: 'por', ru: 'rus' };

/**
 * The commonest words of English: in English prose they are a third or more of the words, in
 * other languages that write with Latin letters a few percent ("in", "a", "die" aside).
 */
const ENGLISH_FUNCTION_WORDS = new Set(
  'the of and to in a is that it for as was with be by on not he this are or his from at which but have an they you were her she there been its their had has would all one so if we no more when can these than them who into other only some such may upon also then'.split(' '),
);
/** Share of the sample's words that are English function words above which it reads as English. */
const ENGLISH_SHARE = 0.12;

const WORD = /\p{L}+/gu;

/** Characters of the opening the cheap English test reads: about a hundred words. */
const ENGLISH_TEST_CHARS = 600;

/**
 * Whether the opening reads as English by its commonest words: one pass over char codes that
 * builds only words of up to five letters (every function word is that short).
 */
function readsAsEnglish(text: string): boolean {
  const end = Math.min(text.length, ENGLISH_TEST_CHARS);
  let words = 0;
  let common = 0;
  let word = '';
  let long = false;
  for (let i = 0; i <= end; i++) {
    const code = i < end ? text.charCodeAt(i) : 32;
    const lower = code >= 65 && code <= 90 ? code + 32 : code;
    if (lower >= 97 && lower <= 122) {
      if (word.length < 5) word += String.fromCharCode(lower);
      else long = true;
      continue;
    }
    if (code >= 0xc0 && /\p{L}/u.test(text[i])) {
      long = true;
      continue;
    }
    if (word.length > 0 || long) {
      words++;
      if (!long && ENGLISH_FUNCTION_WORDS.has(word)) common++;
    }
    word = '';
    long = false;
  }
  return words > 0 && common / words >= ENGLISH_SHARE;
}

/**
 * Prose is mostly letters, and mostly lower case: a table, a program listing or a run of
 * formulas is not, and franc names a language for it anyway (FORTRAN reads as Portuguese, LaTeX
 * exercises as Hausa). Those are not judged.
 */
const PROSE_LETTER_SHARE = 0.75;
const PROSE_MAX_UPPER_SHARE = 0.3;

function isProse(sample: string, letters: number): boolean {
  let visible = 0;
  let upper = 0;
  for (const char of sample) {
    if (/\s/.test(char)) continue;
    visible++;
    if (char !== char.toLowerCase()) upper++;
  }
  return letters >= PROSE_LETTER_SHARE * visible && upper <= PROSE_MAX_UPPER_SHARE * letters;
}

/** The ISO 639-3 code of the document's language when it is plainly not `packLanguage`, else undefined. */
export function otherLanguage(text: string, packLanguage: string): string | undefined {
  const expected = ISO_639_3[packLanguage];
  if (!expected) return undefined;
  if (expected === 'eng' && readsAsEnglish(text)) return undefined;
  const sample = text.slice(0, LANGUAGE_SAMPLE_CHARS);
  let letters = 0;
  for (const word of sample.match(WORD) ?? []) letters += word.length;
  if (letters < LANGUAGE_MIN_LETTERS || !isProse(sample, letters)) return undefined;
  const found = franc(sample, { minLength: LANGUAGE_MIN_LETTERS });
  return found === 'und' || found === expected ? undefined : found;
}

/** What a run does with a document plainly not in the pack's language: mask it as usual, or reject it. */
export type OtherLanguagesAction = 'keep' | 'reject';

/** The reason a document rejected for its language carries in rejects.jsonl. */
export function otherLanguageReason(language: string, packLanguage: string): string {
  return `plainly not in the pack's language (${packLanguage}) but ${language}, which its rules and classifier cannot read (--other-languages reject)`;
}

/**
 * Documents plainly not in the pack's language, by ISO 639-3 code: how many, their characters, and
 * how many of those characters the run wrote to its output (kept or edited; runs before it was
 * counted lack it, and their output is taken as all of `chars`).
 */
export type OtherLanguages = Record<string, { documents: number; chars: number; outputChars?: number }>;

/** Adds `from` into `into` (the same language's documents and characters summed). */
export function addOtherLanguages(into: OtherLanguages, from: OtherLanguages): void {
  for (const [language, tally] of Object.entries(from)) {
    const sum = (into[language] ??= { documents: 0, chars: 0 });
    // A run counts what it wrote of them; an audit writes nothing and counts no output.
    if (tally.outputChars !== undefined || sum.outputChars !== undefined) sum.outputChars = (sum.outputChars ?? sum.chars) + (tally.outputChars ?? tally.chars);
    sum.documents += tally.documents;
    sum.chars += tally.chars;
  }
}

/**
 * Characters of the output in documents plainly not in the pack's language: its detectors read them
 * without understanding them, so nothing measured how much of them is target text, and a verdict's
 * bound counts all of them as target text (leakage-estimate.ts). For a corpus nobody masked
 * (`masked` false) the output is the corpus: every such character.
 */
export function unscreenedOutputChars(languages: OtherLanguages | undefined, masked = true): number {
  return Object.values(languages ?? {}).reduce((sum, tally) => sum + (masked ? (tally.outputChars ?? tally.chars) : tally.chars), 0);
}

/** The tallies with their languages in order: a report's bytes do not depend on which document came first. */
export function sortedLanguages(languages: OtherLanguages): OtherLanguages {
  return Object.fromEntries(Object.entries(languages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
