/**
 * The protocol issue 11 names: every positive and negative book scored by a model trained on every
 * other book, at thresholds chosen without it (`lacuna train --folds 0`; background books share five
 * folds, which changes no judged row). Five folds measure the other packs in passage-heldout.test.ts;
 * algebra is measured here, in a file of its own so that it runs beside that one, since its seven
 * positives and seven negatives are where five folds flattered most (README, "Leave one book out").
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSAGES_PER_BOOK, passagesReport, resultTable, runTrain, type BookResult } from '../pipelines/train.js';
import { SHARED, sharedAvailable } from './helpers.js';

const available = sharedAvailable('leave-one-book-out passage classifier on ../shared/corpora');
const DATA = join(SHARED, 'corpora');
const mean = (books: BookResult[]) => books.reduce((sum, book) => sum + book.loss, 0) / books.length;
const table = (books: BookResult[]) => books.map((book) => `${book.side} ${(book.loss * 100).toFixed(1)}% ${book.name}`).join('\n');

describe.runIf(available)('passage classifier, each book left out on its own', () => {
  it('algebra: the theory of equations stays a negative; group theory, invariants and the algebras after them are found', { timeout: 600_000 }, async () => {
    const result = await runTrain({ pack: 'algebra-pre-galois', data: DATA, folds: 0, write: false, judgedOnly: true });
    console.info(table(result.books));
    expect(result.leaveOneOut).toBe(true);
    const negatives = result.books.filter((book) => book.side === 'negative');
    // Five folds put Dickson's theory of equations (1903) with Glenn's invariants and Burnside's groups and
    // measured it at 1.3%; a model that had read them took 18.6% of it, and the negatives' budget raised the
    // threshold from 0.4 to 2.8 (post-1799 books 65.7%). Named as a keep context (pack 0.4.12), the
    // theory of equations without groups trains at the keep label: measured 10.6%, threshold 1.95, 73.1%.
    const dickson = negatives.find((book) => book.name.includes('dickson_'))!;
    expect(dickson.loss).toBeLessThanOrEqual(0.12);
    for (const book of negatives.filter((book) => book !== dickson)) expect(book.loss, book.name).toBeLessThanOrEqual(0.005);
    expect(result.threshold).toBeLessThanOrEqual(2.2);
    const positives = result.books.filter((book) => book.side === 'positive');
    // 75.4% since a single paragraph of prose between two removed ones goes with them (maskers/policy.ts;
    // Glenn 74.9 → 81.0%, Galois 57.4 → 61.8%; Dickson 10.6 → 11.6%). 79.8% since pack 0.4.14's support
    // margin of 12 (6 before): a paragraph in which a rule finds the target goes whole unless the
    // classifier finds it 12 under the threshold (Galois 61.8 → 76.7%, Klein 14.4 → 27.7%; every
    // pre-1832 book and Dickson unchanged).
    expect(mean(positives)).toBeGreaterThanOrEqual(0.795);
    // Measured 98.7% (Burnside) and 94.3% (Neikirk's pages of congruences, which go with their proofs).
    expect(positives.find((book) => book.name.includes('burnside_'))!.loss).toBeGreaterThanOrEqual(0.9);
    expect(positives.find((book) => book.name.includes('neikirk_'))!.loss).toBeGreaterThanOrEqual(0.9);

    // The passages behind each row: what a positive book kept, what any other book lost, worst first.
    const report = passagesReport(result);
    for (const book of result.books) {
      const cost = book.passages.map((passage) => (book.side === 'positive' ? 1 - passage.removed : passage.removed) * (passage.end - passage.start));
      expect(cost, book.name).toEqual([...cost].sort((a, b) => b - a));
      expect(book.passages.length, book.name).toBeLessThanOrEqual(PASSAGES_PER_BOOK);
      if (book.side === 'positive') {
        for (const passage of book.passages) expect(passage.removed, book.name).toBeLessThan(0.5);
        if (book.loss < 0.5) expect(book.passages.length, book.name).toBeGreaterThan(0);
      } else {
        for (const passage of book.passages) expect(passage.removed, book.name).toBeGreaterThan(0);
        expect(book.passages.length > 0, book.name).toBe(book.loss > 0);
      }
      for (const passage of book.passages) {
        expect(passage.end - passage.start).toBeGreaterThanOrEqual(300);
        expect(report).toContain(`- ${passage.start}–${passage.end}, removed ${(passage.removed * 100).toFixed(0)}%`);
      }
    }
    expect(dickson.passages.length).toBeGreaterThan(0);
    expect(report).toContain(`### ${dickson.name} (negative: lost text)`);
    expect(resultTable(result)).toContain('leave-one-book-out');
  });
});
