/**
 * Cheap passage features: hashed word unigrams and word pairs of the folded
 * text (case, accents and compatibility forms folded as the lexical detector
 * folds them), weighted log(1 + count) and scaled to unit length. No string is
 * built per word: words are hashed (FNV-1a) from the folded code units as they
 * are read, so features cost about as much as one pass over the text.
 *
 * Numbers are one token "<num>" except four-digit numbers from 1000 to 2099,
 * which stay themselves: a year is a date, and dates are what the classifier
 * is about. Greek letters and other non-Latin letters are word characters
 * (ψ, ħ, λ are evidence); symbols are not.
 */
import { FOLD, IGNORED, SPACE } from '../../maskers/detectors/fold.js';

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** A salt that keeps word pairs apart from single words in the hash space. */
const PAIR_SALT = 0x9e3779b1;
const NUMBER_HASH = hashString('<num>');
const BACKSLASH = 0x5c;

function hashString(word: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/** Letters (any script) and digits are word characters; the apostrophe inside a word is dropped. */
const WORD_CHAR = new Uint8Array(0x10000);
for (let code = 0; code < 0x10000; code++) {
  const char = String.fromCharCode(code);
  if (/[\p{L}\p{N}]/u.test(char)) WORD_CHAR[code] = /\p{N}/u.test(char) ? 2 : 1;
}

/**
 * FOLD and WORD_CHAR in one look-up by the character as written: the folded code in the high bits,
 * its word class (0, 1 letter, 2 digit) in the low two. One table read per character instead of two
 * dependent ones: the word walk is a tenth of the default detectors' time.
 */
const FOLDED_CLASS = new Uint32Array(0x10000);
for (let code = 0; code < 0x10000; code++) FOLDED_CLASS[code] = (FOLD[code] << 2) | WORD_CHAR[FOLD[code]];

function mix(a: number, b: number): number {
  return Math.imul((a ^ Math.imul(b, PAIR_SALT)) >>> 0, FNV_PRIME) >>> 0;
}

/**
 * Letters and visible characters (not whitespace, not invisible) of the text the last visitWords
 * call read: the letter share of a paragraph comes with its features, at no extra pass.
 */
let lettersRead = 0;
let visibleRead = 0;

/** Calls `visit` with the hash of each word of `text[start, end)`, in order: no array of hashes is built. */
function visitWords(text: string, start: number, end: number, visit: (hash: number) => void): void {
  let i = start;
  let allLetters = 0;
  let visible = 0;
  while (i < end) {
    let entry = FOLDED_CLASS[text.charCodeAt(i)];
    if ((entry & 3) === 0) {
      const code = entry >>> 2;
      if (code !== SPACE && code !== IGNORED) visible++;
      i++;
      continue;
    }
    let code: number;
    const wordStart = i;
    let hash = FNV_OFFSET;
    let digits = 0;
    let letters = 0;
    let value = 0;
    while (i < end) {
      entry = FOLDED_CLASS[text.charCodeAt(i)];
      code = entry >>> 2;
      const kind = entry & 3;
      if (code === IGNORED) {
        i++;
        continue;
      }
      if (!kind) {
        // "Einstein's" is one word; the possessive goes.
        if (code === 0x27 && i + 1 < end && WORD_CHAR[FOLD[text.charCodeAt(i + 1)]] === 1) {
          visible++;
          i++;
          continue;
        }
        break;
      }
      if (kind === 2) {
        digits++;
        value = value * 10 + (code - 48);
      } else letters++;
      hash = Math.imul(hash ^ code, FNV_PRIME);
      i++;
    }
    // A word of prose has two letters or more and is not a TeX control word (\frac, \begin):
    // a formula's single-letter variables and markup are visible characters, not prose.
    if (letters >= 2 && !(wordStart > start && text.charCodeAt(wordStart - 1) === BACKSLASH)) allLetters += letters;
    visible += letters + digits;
    visit(letters === 0 ? (digits === 4 && value >= 1000 && value <= 2099 ? hash >>> 0 : NUMBER_HASH) : hash >>> 0);
  }
  lettersRead = allLetters;
  visibleRead = visible;
}

/** The letter share (see letterShare) of the text the last passageFeatures or passageDots call read. */
export function lastLetterShare(): number {
  return visibleRead === 0 ? 0 : lettersRead / visibleRead;
}

/**
 * Share of the visible characters of `text[start, end)` that are letters of words of prose (of
 * any script): words of two letters or more that are not TeX control words. About 0.9 in prose,
 * 0.5 to 0.7 in prose dense with symbols or in a program, under 0.4 in a displayed formula
 * (`\begin{align} U_s &\equiv (cy + \gamma x)`), a diagram drawn in characters or a table of
 * numbers. Whitespace and invisible characters are not counted.
 */
export function letterShare(text: string, start: number, end: number): number {
  visitWords(text, start, end, () => {});
  return lastLetterShare();
}

/** log(1 + n) for the counts a paragraph mostly has, looked up. */
const LOG1P = Float64Array.from({ length: 64 }, (_, n) => Math.log1p(n));

let touched = new Int32Array(1024);

/**
 * Counts the hashed words and word pairs of `text[start, end)` into the shared count array of
 * `buckets` (see countsFor) and lists the buckets touched, in order of first touch, in `touched`.
 * Returns how many. Whoever calls it reads the counts and zeroes them again (valueAt).
 */
function countFeatures(text: string, buckets: number, start: number, end: number): number {
  const counts = countsFor(buckets);
  const mask = buckets - 1;
  let size = 0;
  const add = (hash: number) => {
    const index = (hash & mask) >>> 0;
    if (counts[index]++ === 0) {
      if (size === touched.length) {
        const grown = new Int32Array(touched.length * 2);
        grown.set(touched);
        touched = grown;
      }
      touched[size++] = index;
    }
  };
  let previous = -1;
  visitWords(text, start, end, (hash) => {
    add(hash);
    if (previous !== -1) add(mix(previous, hash));
    previous = hash;
  });
  return size;
}

/** log(1 + count) of a touched bucket, leaving its count zeroed for the next call. */
function takeValue(counts: Uint32Array, index: number): number {
  const count = counts[index];
  counts[index] = 0;
  return count < LOG1P.length ? LOG1P[count] : Math.log1p(count);
}

/**
 * The hashed feature vector of `text[start, end)` in a space of `buckets` (a power of two).
 * Entries come in order of first occurrence in the text: deterministic, so sums over them run in
 * one order everywhere (training, scoring) and give the same bits. No sort needed.
 */
export function passageFeatures(text: string, buckets: number, start = 0, end = text.length): SparseVector {
  const size = countFeatures(text, buckets, start, end);
  const counts = countsFor(buckets);
  const indices = touched.slice(0, size);
  const values = new Float32Array(size);
  let norm = 0;
  for (let k = 0; k < size; k++) {
    const value = takeValue(counts, indices[k]);
    values[k] = value;
    norm += value * value;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < values.length; j++) values[j] *= scale;
  }
  return { indices, values };
}

/**
 * `dot(first, passageFeatures(…))` and `dot(second, passageFeatures(…))`, bit for bit, without
 * building the vector: scoring a corpus needs only these two numbers per paragraph. The same
 * float32 roundings as the vector's values, summed in the same order.
 */
export function passageDots(text: string, buckets: number, start: number, end: number, first: Float32Array, second: Float32Array): [number, number] {
  const size = countFeatures(text, buckets, start, end);
  const counts = countsFor(buckets);
  const values = valuesFor(size);
  let norm = 0;
  for (let k = 0; k < size; k++) {
    const value = takeValue(counts, touched[k]);
    values[k] = value;
    norm += value * value;
  }
  let sumFirst = 0;
  let sumSecond = 0;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1;
  for (let k = 0; k < size; k++) {
    // As stored in the vector: a float32, scaled, stored as a float32 again.
    const value = norm > 0 ? Math.fround(values[k] * scale) : values[k];
    sumFirst += first[touched[k]] * value;
    sumSecond += second[touched[k]] * value;
  }
  return [sumFirst, sumSecond];
}

/** A reused float32 scratch array of at least `size` entries. */
let scratchValues = new Float32Array(1024);
function valuesFor(size: number): Float32Array {
  if (scratchValues.length < size) scratchValues = new Float32Array(Math.max(size, scratchValues.length * 2));
  return scratchValues;
}

/** One zeroed count array per bucket size, reused (and left zeroed) by every call: no Map, no garbage. */
const countArrays = new Map<number, Uint32Array>();
function countsFor(buckets: number): Uint32Array {
  let counts = countArrays.get(buckets);
  if (!counts) countArrays.set(buckets, (counts = new Uint32Array(buckets)));
  return counts;
}

export function dot(weights: Float32Array, vector: SparseVector): number {
  let sum = 0;
  for (let j = 0; j < vector.indices.length; j++) sum += weights[vector.indices[j]] * vector.values[j];
  return sum;
}
