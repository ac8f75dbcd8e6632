/**
 * How much target text a corpus still holds, estimated from what masking removed and from how
 * the same detectors did on books they never saw.
 *
 * `lacuna train` holds each book out, masks it with the default detectors, and records the
 * share of its characters removed: on books of the target side that is the detectors' recall
 * r, on books of the other side their false-removal rate f. A corpus of C characters of which T
 * are target loses, in expectation, D = r·T + f·(C − T), so
 *
 *     T = (D − f·C) / (r − f)          (the Rogan–Gladen estimator of prevalence)
 *
 * and the target text left after masking is (1 − r)·T. Documents that are one paragraph are
 * read without neighbours or section, and documents shorter than the passage classifier's
 * smoothing window with fewer neighbours than a book: the detectors find less there. `lacuna
 * train` measures both (each paragraph masked alone; each book cut into documents of 8,000
 * characters), and r and f are the three measures mixed by the shares of the input's characters
 * in such documents. The 95% interval comes from the books:
 * books are resampled with replacement within each side (a seeded bootstrap, so the same run
 * gives the same interval), r and f recomputed, and the estimate with them. The spread between
 * books (a popular relativity book loses 100%, a textbook's classical chapters 2–27%) is the
 * uncertainty that matters, and this is what it measures.
 *
 * It assumes the corpus's target text resembles the training books' target text. Labelling a
 * sample (`lacuna verify --sample`, then `--labels`) measures the same thing without that
 * assumption, and should be preferred when a person can spend the time.
 */

import { seededRandom } from '../indexes/classifier/train.js';
import { DOCUMENT_CHARS, loadPassageModel } from '../maskers/detectors/passage.js';
import type { Pack } from '../maskers/pack/schema.js';
import { ISLAND_SENTENCE_CHARS } from './leakage-report.js';

/** One held-out book as `lacuna train` measured it. */
export interface HeldOutBook {
  name: string;
  side: 'positive' | 'negative' | 'background';
  chars: number;
  /** Share of its characters the default detectors and policy removed while it was held out. */
  loss: number;
  /** The same with each paragraph masked as a document of its own (absent in older models: then `loss`). */
  isolatedLoss?: number;
  /** The same with the book cut into short documents (absent in older models: then `loss`). */
  documentLoss?: number;
  /** For a target book, the same with each sentence masked as a document of its own (absent in older models: then `isolatedLoss`). */
  sentenceLoss?: number;
}

export interface HeldOutRates {
  /** The detectors the books were measured with. */
  detectors: string[];
  books: HeldOutBook[];
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface LeakageEstimate {
  method: string;
  /** Characters read and removed. */
  inputChars: number;
  /** Characters of documents that are one paragraph. */
  singleParagraphChars: number;
  /** Characters of short documents (several paragraphs, fewer than the classifier's smoothing window). */
  shortDocumentChars: number;
  removedChars: number;
  /** Pooled held-out rates: recall on target books, removal on the others' books. */
  recall: Interval;
  falseRemoval: Interval;
  /** Target characters in the input, and left in the output, with 95% intervals. */
  targetChars: Interval;
  remainingChars: Interval;
  /**
   * The most target text the removal allows even with no false removal at all: every removed
   * character taken as target text, at the low end of recall's interval, so T ≤ D / r and what is
   * left ≤ D·(1 − r) / r (for a corpus nobody masked, T itself). The Rogan–Gladen estimate
   * subtracts the false-removal rate of other books, and a corpus that loses less than those books
   * do (a web crawl with a little physics) comes out at exactly zero however much it holds; this
   * bound assumes nothing about false removal, which is why a verdict of PASSED rests on it.
   */
  remainingBound: number;
  /**
   * Of removedChars, those removed as islands among kept text (CollateralReport.islandChars):
   * remainingBound takes the large ones at the recall of paragraphs masked alone (`aloneRecall`),
   * the small ones at that of sentences masked alone (`sentenceRecall`), the rest at `recall`.
   */
  islandChars: { small: number; large: number };
  /**
   * Characters of the output in documents plainly not in the pack's language (maskers/language.ts):
   * its detectors read them without understanding them, so the bound takes all of them as target
   * text. A French memoir on the theory of groups goes through an English pack almost untouched.
   */
  unscreenedChars?: number;
  aloneRecall: Interval;
  sentenceRecall: Interval;
  /** The books the rates come from. */
  books: { positive: number; negative: number };
  draws: number;
  seed: number;
  /** False for a corpus nobody masked: the remainder is all of the target text. */
  masked: boolean;
  /**
   * The remainder shared out over the concepts in proportion to the characters removed for each:
   * the held-out rates are the pack's, not each concept's, so this apportions one estimate rather
   * than making one per concept.
   */
  remainingByConcept: Record<string, Interval>;
}

const DRAWS = 2000;

/** The scales of a corpus of one-paragraph documents: the rates of paragraphs masked alone. */
const ALONE = { single: 1, short: 0 };

/** Character-weighted share removed over target books with each sentence masked alone (older models: each paragraph). */
function pooledSentences(books: readonly HeldOutBook[]): number {
  let chars = 0;
  let lost = 0;
  for (const book of books) {
    chars += book.chars;
    lost += book.chars * (book.sentenceLoss ?? book.isolatedLoss ?? book.loss);
  }
  return chars === 0 ? 0 : lost / chars;
}

/** Shares of a corpus's characters in documents of one paragraph and in short documents. */
interface Scales {
  single: number;
  short: number;
}

/** Character-weighted share removed over a set of books, for a corpus of the given scales. */
function pooled(books: readonly HeldOutBook[], { single, short }: Scales): number {
  let chars = 0;
  let lost = 0;
  for (const book of books) {
    chars += book.chars;
    lost += book.chars * ((1 - single - short) * book.loss + single * (book.isolatedLoss ?? book.loss) + short * (book.documentLoss ?? book.loss));
  }
  return chars === 0 ? 0 : lost / chars;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[at];
}

/** T and the remainder for given rates; T is kept inside [0, C], and the remainder inside what masking left. */
function solve(removed: number, total: number, recall: number, falseRemoval: number): { target: number; remaining: number } {
  const left = Math.max(0, total - removed);
  if (recall <= falseRemoval) return { target: total, remaining: left };
  const target = Math.min(total, Math.max(0, (removed - falseRemoval * total) / (recall - falseRemoval)));
  return { target, remaining: Math.min(left, (1 - recall) * target) };
}

/**
 * The estimate for a corpus of `inputChars` from which masking removed `removedChars`. For a
 * corpus nobody masked, `removedChars` is what masking it would remove and `masked` is false:
 * then all of T remains.
 */
export function estimateLeakage(
  inputChars: number,
  removedChars: number,
  rates: HeldOutRates,
  options: { seed?: number; masked?: boolean; removedByConcept?: Record<string, number>; singleParagraphChars?: number; shortDocumentChars?: number; islandChars?: { small: number; large: number }; unscreenedChars?: number } = {},
): LeakageEstimate {
  const seed = options.seed ?? 1;
  const single = inputChars > 0 ? Math.min(1, (options.singleParagraphChars ?? 0) / inputChars) : 0;
  const short = inputChars > 0 ? Math.min(1 - single, (options.shortDocumentChars ?? 0) / inputChars) : 0;
  const scales = { single, short };
  const masked = options.masked ?? true;
  const positive = rates.books.filter((book) => book.side === 'positive');
  const negative = rates.books.filter((book) => book.side === 'negative');
  const random = seededRandom(seed);
  const resample = (books: readonly HeldOutBook[]) => Array.from(books, () => books[Math.floor(random() * books.length)]);
  const draws = { recall: [] as number[], falseRemoval: [] as number[], target: [] as number[], remaining: [] as number[], aloneRecall: [] as number[], sentenceRecall: [] as number[] };
  for (let draw = 0; draw < DRAWS; draw++) {
    const books = resample(positive);
    const recall = pooled(books, scales);
    draws.aloneRecall.push(pooled(books, ALONE));
    draws.sentenceRecall.push(pooledSentences(books));
    const falseRemoval = pooled(resample(negative), scales);
    const solved = solve(removedChars, inputChars, recall, falseRemoval);
    draws.recall.push(recall);
    draws.falseRemoval.push(falseRemoval);
    draws.target.push(solved.target);
    draws.remaining.push(masked ? solved.remaining : solved.target);
  }
  const interval = (values: number[], estimate: number, rounding = round): Interval => {
    const sorted = [...values].sort((a, b) => a - b);
    return { estimate: rounding(estimate), low: rounding(percentile(sorted, 0.025)), high: rounding(percentile(sorted, 0.975)) };
  };
  const recall = pooled(positive, scales);
  const falseRemoval = pooled(negative, scales);
  const point = solve(removedChars, inputChars, recall, falseRemoval);
  const remainingChars = interval(draws.remaining, masked ? point.remaining : point.target, Math.round);
  const recallInterval = interval(draws.recall, recall);
  // Characters removed as islands among kept text came from target text that is found as a
  // paragraph, or a sentence, alone is, not as a book's: their share of the bound is taken at that
  // recall (islands smaller than a measured paragraph at the recall of sentences alone).
  const small = Math.min(removedChars, options.islandChars?.small ?? 0);
  const large = Math.min(removedChars - small, options.islandChars?.large ?? 0);
  const aloneRecall = interval(draws.aloneRecall, pooled(positive, ALONE));
  const sentenceRecall = interval(draws.sentenceRecall, pooledSentences(positive));
  const base = masked ? Math.max(0, inputChars - removedChars) : inputChars;
  const unscreened = Math.min(base, Math.max(0, Math.round(options.unscreenedChars ?? 0)));
  const fromRemoval =
    small + large > 0
      ? Math.min(
          base,
          boundWithoutFalseRemoval(removedChars - small - large, inputChars, recallInterval.low, masked) + boundWithoutFalseRemoval(large, inputChars, aloneRecall.low, masked) + boundWithoutFalseRemoval(small, inputChars, sentenceRecall.low, masked),
        )
      : boundWithoutFalseRemoval(removedChars, inputChars, recallInterval.low, masked);
  // Text in another language was read without being understood: the bound counts it all.
  const remainingBound = Math.min(base, fromRemoval + unscreened);
  const byConcept = options.removedByConcept ?? {};
  const attributed = Object.values(byConcept).reduce((sum, chars) => sum + chars, 0);
  const remainingByConcept = Object.fromEntries(
    Object.entries(byConcept).map(([concept, chars]) => {
      const share = attributed === 0 ? 0 : chars / attributed;
      return [concept, { estimate: Math.round(remainingChars.estimate * share), low: Math.round(remainingChars.low * share), high: Math.round(remainingChars.high * share) }];
    }),
  );
  return {
    method: `Rogan–Gladen on characters removed, with the default detectors' held-out recall and false-removal rate (${positive.length} target and ${negative.length} other books, each measured by a model trained without it${single > 0 ? `; ${(single * 100).toFixed(1)}% of the input is in documents of one paragraph, weighed at the rates measured on paragraphs masked alone` : ''}${short > 0 ? `; ${(short * 100).toFixed(1)}% in short documents, weighed at the rates measured on books cut into documents of ${DOCUMENT_CHARS.toLocaleString('en-US')} characters` : ''}); 95% interval from ${DRAWS} seeded bootstrap resamples of the books${small + large > 0 ? `; the bound without false removal takes the characters removed as islands among kept text at the recall of paragraphs masked alone (${large.toLocaleString('en-US')}) and of sentences masked alone (${small.toLocaleString('en-US')}, islands under ${ISLAND_SENTENCE_CHARS} characters)` : ''}${unscreened > 0 ? `; the bound counts the ${unscreened.toLocaleString('en-US')} characters of the output in documents plainly not in the pack's language as target text, since its detectors cannot read them` : ''}`,
    inputChars,
    singleParagraphChars: Math.round(single * inputChars),
    shortDocumentChars: Math.round(short * inputChars),
    removedChars,
    recall: recallInterval,
    falseRemoval: interval(draws.falseRemoval, falseRemoval),
    targetChars: interval(draws.target, point.target, Math.round),
    remainingChars,
    remainingBound,
    islandChars: { small, large },
    ...(unscreened > 0 ? { unscreenedChars: unscreened } : {}),
    aloneRecall,
    sentenceRecall,
    books: { positive: positive.length, negative: negative.length },
    draws: DRAWS,
    seed,
    masked,
    remainingByConcept,
  };
}

/** See LeakageEstimate.remainingBound. */
function boundWithoutFalseRemoval(removed: number, total: number, recallLow: number, masked: boolean): number {
  const left = Math.max(0, total - removed);
  if (recallLow <= 0) return masked ? left : total;
  const target = Math.min(total, removed / recallLow);
  return Math.round(masked ? Math.min(left, target * (1 - recallLow)) : target);
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

/** The held-out rates `lacuna train --write` stored in the pack's passage model; undefined when there are none. */
export function heldOutRates(pack: Pack): HeldOutRates | undefined {
  if (!pack.passage) return undefined;
  const stored = loadPassageModel(pack.passage).training.heldOut as HeldOutRates | undefined;
  return stored && Array.isArray(stored.books) && Array.isArray(stored.detectors) ? stored : undefined;
}

/**
 * Why no estimate can be made for a run, or undefined when one can. The rates hold for the
 * detectors they were measured with; a run that added more (semantic) removes more, so its
 * estimate leans high, which is the safe side; a run with fewer has no estimate.
 */
export function estimateUnavailable(rates: HeldOutRates | undefined, detectors: readonly string[]): string | undefined {
  if (!rates) return "the pack's passage model carries no held-out rates (retrain it with `lacuna train --write`)";
  const missing = rates.detectors.filter((name) => !detectors.includes(name));
  if (missing.length > 0) return `the held-out rates were measured with the detectors ${rates.detectors.join(', ')}; this run did not use ${missing.join(', ')}`;
  if (!rates.books.some((book) => book.side === 'positive') || !rates.books.some((book) => book.side === 'negative')) return 'the held-out rates need books of both sides';
  return undefined;
}
