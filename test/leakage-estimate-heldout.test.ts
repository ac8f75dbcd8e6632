/**
 * The leakage estimate against known truths, on the held-out rates the physics pack ships (its
 * passage model's `training.heldOut`: each book masked by a model trained without it). A corpus is
 * one theory book and one pre-1900 book; the estimate is made from the rates of the other books
 * only (both left out of them, as a user's corpus is), and the truth is what the theory book kept
 * (taken all as target text, which overstates it for Crowell's randomness chapter: what it keeps
 * is probability, the pack's to keep; see test/data/physics-post-1900.randomness-paragraphs.tsv).
 * That is every pair of the 15 theory books and the 20 pre-1900 books, at each of the three
 * scales the rates are measured at: in the book, in documents of 8,000 characters, each
 * paragraph alone.
 *
 * What a verdict of PASSED rests on, the top of the measure (the interval's top, or the bound that
 * assumes no false removal, whichever is higher: leak-limit.ts), is never below the truth. The
 * bootstrap interval itself lies above the truth for most pairs (the known bias of target books
 * labelled whole) and wholly below it for a few: measured (packs 0.4.34 and 0.4.35) 12, 8 and 23 of 300, all
 * of them the randomness chapter (12, 8, 13) or Nordmann's popular book masked paragraph by
 * paragraph (10), the theory book with the lowest share removed alone; the estimate's median over
 * the truth 10.3, 5.6 and 1.7. Recall taken from the fifteen theory books alone, without the
 * eleven books that mix both sides, would look better calibrated (median 1.8 in the book) but put
 * the interval below the truth for 83 pairs and the top, bound and all, for 79: a PASSED for a
 * leaking corpus. The mixed books' lower share removed is what keeps the estimate on the safe side
 * of the books whose recall is below the rest's.
 */
import { describe, expect, it } from 'vitest';
import { heldOutRates, estimateLeakage, type HeldOutBook, type HeldOutRates } from '../pipelines/leakage-estimate.js';
import { loadPack } from '../maskers/pack/load.js';

/** Books that state both sides' knowledge (as test/passage-heldout.test.ts names them): no known truth. */
const PHYSICS_MIXED = /curie_radio|rutherford|heat_radiation|eight_lectures|mcurie|pcurie|shipley|phillips|lpoincare|gibson|bridgman/;

type Scale = 'book' | 'documents' | 'alone';
const lossAt = (book: HeldOutBook, scale: Scale) => (scale === 'alone' ? (book.isolatedLoss ?? book.loss) : scale === 'documents' ? (book.documentLoss ?? book.loss) : book.loss);

describe('the leakage estimate on held-out books', () => {
  it('never puts the top a verdict reads below the truth of a theory book with a pre-1900 book', async () => {
    const { pack } = await loadPack('physics-post-1900');
    const rates = heldOutRates(pack)!;
    const theory = rates.books.filter((book) => book.side === 'positive' && !PHYSICS_MIXED.test(book.name));
    // Crowell's classical chapters are negatives with post-1900 asides in them: their truth is not 0.
    const pre = rates.books.filter((book) => book.side === 'negative' && !book.name.includes('crowell_') && !book.name.includes('#'));
    expect(theory.length).toBe(15);
    expect(pre.length).toBeGreaterThanOrEqual(20);
    for (const scale of ['book', 'documents', 'alone'] as const) {
      let below = 0;
      let topBelow = 0;
      let above = 0;
      const ratios: number[] = [];
      for (const target of theory) {
        for (const other of pre) {
          const others: HeldOutRates = { ...rates, books: rates.books.filter((book) => book !== target && book !== other) };
          const chars = target.chars + other.chars;
          const removed = Math.round(lossAt(target, scale) * target.chars + lossAt(other, scale) * other.chars);
          const truth = (1 - lossAt(target, scale)) * target.chars;
          const shape = scale === 'alone' ? { singleParagraphChars: chars } : scale === 'documents' ? { shortDocumentChars: chars } : {};
          const { remainingChars, remainingBound } = estimateLeakage(chars, removed, others, shape);
          if (remainingChars.high < truth) below++;
          if (Math.max(remainingChars.high, remainingBound) < truth) topBelow++;
          if (remainingChars.low > truth) above++;
          ratios.push((remainingChars.estimate + 100) / (truth + 100));
        }
      }
      ratios.sort((a, b) => a - b);
      const pairs = theory.length * pre.length;
      console.info(`${scale}: of ${pairs} corpora, the interval below the truth for ${below}, above it for ${above}, the top with the bound below it for ${topBelow}; median estimate / truth ${ratios[Math.floor(pairs / 2)].toFixed(1)}`);
      expect(topBelow, scale).toBe(0);
      expect(below / pairs, scale).toBeLessThanOrEqual(0.1);
    }
  });
});
