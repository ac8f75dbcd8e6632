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
import { FOLD, IGNORED } from '../../maskers/detectors/fold.js';

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** A salt that keeps word pairs apart from single words in the hash space. */
const PAIR_SALT = 0x9e3779b1;
const NUMBER_HASH = hashString('<num>');

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

function mix(a: number, b: number): number {
  return Math.imul((a ^ Math.imul(b, PAIR_SALT)) >>> 0, FNV_PRIME) >>> 0;
}

/** Word hashes of `text[start, end)`, in order. */
export function wordHashes(text: string, start = 0, end = text.length): number[] {
  const hashes: number[] = [];
  let i = start;
  while (i < end) {
    let code = FOLD[text.charCodeAt(i)];
    if (!WORD_CHAR[code]) {
      i++;
      continue;
    }
    let hash = FNV_OFFSET;
    let digits = 0;
    let letters = 0;
    let value = 0;
    while (i < end) {
      code = FOLD[text.charCodeAt(i)];
      const kind = WORD_CHAR[code];
      if (code === IGNORED) {
        i++;
        continue;
      }
      if (!kind) {
        // "Einstein's" is one word; the possessive goes.
        if (code === 0x27 && i + 1 < end && WORD_CHAR[FOLD[text.charCodeAt(i + 1)]] === 1) {
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
    if (letters === 0) hashes.push(digits === 4 && value >= 1000 && value <= 2099 ? hash >>> 0 : NUMBER_HASH);
    else hashes.push(hash >>> 0);
  }
  return hashes;
}

/**
 * The hashed feature vector of `text[start, end)` in a space of `buckets` (a power of two).
 */
export function passageFeatures(text: string, buckets: number, start = 0, end = text.length): SparseVector {
  const words = wordHashes(text, start, end);
  const counts = countsFor(buckets);
  const mask = buckets - 1;
  const touched: number[] = [];
  const add = (hash: number) => {
    const index = (hash & mask) >>> 0;
    if (counts[index]++ === 0) touched.push(index);
  };
  for (let w = 0; w < words.length; w++) {
    add(words[w]);
    if (w > 0) add(mix(words[w - 1], words[w]));
  }
  // Sorted, so sums run in one order everywhere (training, scoring): the same bytes, the same scores.
  const indices = Int32Array.from(touched).sort();
  const values = new Float32Array(indices.length);
  let norm = 0;
  for (let k = 0; k < indices.length; k++) {
    const value = Math.log1p(counts[indices[k]]);
    counts[indices[k]] = 0;
    values[k] = value;
    norm += value * value;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < values.length; j++) values[j] *= scale;
  }
  return { indices, values };
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
