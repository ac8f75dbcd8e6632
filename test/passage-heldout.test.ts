/**
 * The passage classifier measured the only way that counts: every book of
 * ../shared scored by a model trained without it (5 folds by book), at a
 * threshold chosen without it, through the default detectors and the policy
 * (`lacuna train`, pipelines/train.ts). The bounds are the rates measured when
 * the models were trained (README, "Held out"), with a small margin: they
 * guard against regressions, and say plainly where the issue's targets are not
 * met yet. Algebra is measured leaving each book out on its own, in
 * passage-leave-one-out.test.ts. The runs measure only the books the bounds read
 * (`judgedOnly`: the background books, other fields', are not measured; every
 * other number is the same).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lossOutsideTargets } from '../pipelines/paragraph-labels.js';
import { runTrain, type BookResult } from '../pipelines/train.js';
import { ROOT, SHARED, sharedAvailable } from './helpers.js';

const available = sharedAvailable('held-out passage classifier on ../shared/corpora');
const DATA = join(SHARED, 'corpora');
const mean = (books: BookResult[]) => books.reduce((sum, book) => sum + book.loss, 0) / books.length;
const table = (books: BookResult[]) => books.map((book) => `${book.side} ${(book.loss * 100).toFixed(1)}% ${book.name}`).join('\n');

/** Books that state both sides' knowledge: measured by their hand-labelled paragraphs, not as wholes. */
const PHYSICS_MIXED = /curie_radio|rutherford|heat_radiation|eight_lectures|mcurie|pcurie|shipley|phillips|lpoincare|gibson|bridgman/;

describe.runIf(available)('passage classifier, held out by book', () => {
  it('physics: pre-1900 books keep everything, post-1900 theory books lose most, mixed books by their labelled paragraphs', { timeout: 600_000 }, async () => {
    // The budgets are the training spec's (0.75%, and 1.5% for a paragraph alone), as the shipped model was chosen.
    const labels = ['mixed-paragraphs', 'crowell-losses', 'randomness-paragraphs'].map((name) => join(ROOT, `test/data/physics-post-1900.${name}.tsv`));
    const result = await runTrain({ pack: 'physics-post-1900', data: DATA, folds: 5, write: false, labels, judgedOnly: true });
    console.info(table(result.books));
    expect([result.budget, result.isolatedBudget]).toEqual([0.0075, 0.015]);
    const pre = result.books.filter((book) => book.side === 'negative' && !book.name.includes('crowell_'));
    const modernClassical = result.books.filter((book) => book.side === 'negative' && book.name.includes('crowell_'));
    const theory = result.books.filter((book) => book.side === 'positive' && !PHYSICS_MIXED.test(book.name));
    expect(pre.length).toBe(20);
    // Measured at most 0.4% (Maxwell's five papers) until the retraining for paragraphs without blank
    // lines; since, 4.9% (the Michelson–Morley paper: two paragraphs on its curves and the solar
    // system's motion). Which pre-1900 text loses most moves from one retraining to the next: leaving one
    // small background book out of training gave 0.9%, 1.3% and 2.7% for the worst book. The issue asks
    // ≤ 1%; this bound is what is measured, so that a change that makes it worse fails. Since a
    // section's score is floored at its book's (pack 0.4.25), 0.4% at most (Maxwell's five papers; the
    // Michelson–Morley paper 2.2% → 0.0%: its threshold rose from 1.45 to 1.5); 2.2% again once pack
    // 0.4.26 retrained without the Project Gutenberg licence that 18 books still carried; 0.4% at most
    // (Maxwell's five papers) since pack 0.4.32's keep margin of 3 spares the paper's paragraphs that
    // name its own experiment: every book within the 1%.
    for (const book of pre) expect(book.loss, book.name).toBeLessThanOrEqual(0.01);
    // Modern prose about classical physics that also states some relativity and nuclear physics
    // (Crowell's E&M derives the Lorentz transformation): measured 13.1% on average (12.0% at a 0.5% budget);
    // 13.4% since a section's score is floored at its book's (pack 0.4.25).
    expect(mean(modernClassical)).toBeLessThanOrEqual(0.14);
    // Every paragraph of theirs that this run removes anything from is labelled by hand by the pack's
    // rules (323: 204 state post-1900 physics or name what the pack masks, 119 do not), so what they
    // lose outside the labelled targets is the collateral: measured 6.1% on average, Crowell's
    // electricity and magnetism 16.9% (its Coulomb's-law chapter sits beside the atom's), four of seven
    // at most 3.4%. A paragraph the run starts to remove without a label counts as lost here.
    // Retrained for paragraphs without blank lines (85 of 120,884 training blocks changed): 341
    // labelled (209 targets), 6.5% on average, 17.4% for electricity and magnetism, three of seven at
    // most 3.5% (vibrations and waves 3.2% → 4.3%). A retraining that moves a few scores moves each
    // book by a point or so either way: the bounds below leave that much room and no more. With the
    // document floor (pack 0.4.25): 6.2% on average, two of seven at most 3.5% (optics 3.5% → 3.8%).
    const [mixed, crowell, randomness] = result.labelled!;
    expect(crowell.books.map((book) => book.name).sort()).toEqual(modernClassical.map((book) => book.name).sort());
    const collateral = crowell.books.map(lossOutsideTargets);
    console.info(`Crowell's classical chapters, text lost outside their labelled targets: ${collateral.map((share) => (share * 100).toFixed(1) + '%').join(', ')}`);
    expect(collateral.reduce((sum, share) => sum + share, 0) / collateral.length).toBeLessThanOrEqual(0.07);
    expect(collateral.filter((share) => share <= 0.035).length).toBeGreaterThanOrEqual(2);
    // Measured 195 of 204 targets removed, then 198 of 209 (94.7%) after the retraining; 202 of 212, then
    // 199 of 212 (93.9%) since research text trains the model too (pack 0.4.24: two asides that took
    // only their sentence now, 26–30% of the paragraph, and a paragraph on Tolman and Stewart's 1916
    // experiment and one on a moving box's field energy kept whole, for one the model finds now); 206
    // of 212 (97.2%) since a section's score is floored at its book's (pack 0.4.25).
    expect(crowell.targetsRemoved / crowell.targets).toBeGreaterThanOrEqual(0.965);
    // Their chapters cut into documents of 8,000 characters (a textbook's pages as a web corpus holds
    // them): measured 200 of 212 asides removed with a support margin of 6, 207 since pack 0.4.33's 8
    // (a paragraph in which a rule finds the target goes whole down to 8 under the threshold), with
    // no more labelled keeps touched (124 of 134).
    expect(crowell.targetsRemovedInDocuments).toBeGreaterThanOrEqual(207);
    expect(crowell.keepsTouchedInDocuments).toBeLessThanOrEqual(124);
    expect(theory.length).toBe(15);
    // Measured 93.8% (13 of 15 at least 90%); 94.9% (14 of 15: Tolman 84.7% → 91.5%) since a section's
    // score is floored at its book's (pack 0.4.25); 95.7% since a single paragraph of prose between
    // two removed ones goes with them (maskers/policy.ts; 95.0% without).
    expect(mean(theory)).toBeGreaterThanOrEqual(0.953);
    expect(theory.filter((book) => book.loss >= 0.9).length).toBeGreaterThanOrEqual(14);
    // The one theory book under 90% is Crowell's *Rules of Randomness* (71.8% held out by book): a
    // chapter of probability (dice, coins, slot machines, the bell curve) on the way to radioactive
    // decay and quantum randomness. Every one of its 47 measured paragraphs is labelled by the pack's
    // rules: 26 state post-1900 physics (quantum randomness, half-lives, decay rates), 21 only
    // probability and statistics. Held out by book all 26 went and 5 of the 21 lost something (in
    // documents 25 and 7, alone 23 and 1): what it keeps is the mathematics the pack keeps.
    expect(randomness.targetsRemoved / randomness.targets).toBeGreaterThanOrEqual(0.9);
    expect(randomness.targetsRemovedInDocuments / randomness.targets).toBeGreaterThanOrEqual(0.9);
    for (const book of theory) expect(book.loss, book.name).toBeGreaterThanOrEqual(0.65);
    // Each paragraph masked as a document of its own (no neighbours, no section): weaker, and measured too.
    // Measured at most 2.6% (Maxwell's Five Papers: reflective paragraphs the classifier alone flags);
    // 3.0% since the retraining for paragraphs without blank lines; 3.5% since a paragraph alone is
    // judged at a 1.5% budget (the training spec's isolatedBudget), the Michelson–Morley paper 2.4%;
    // 4.3% since research text trains the model too (pack 0.4.24; the paper 2.4%).
    for (const book of pre) expect(book.isolatedLoss, book.name).toBeLessThanOrEqual(0.045);
    // Measured 64.0% (61.3% while a keep context always shielded a paragraph alone); 68.9% at the 1.5%
    // budget for a paragraph alone; 72.5% since pack 0.4.28's context words support a paragraph alone
    // (69.2% without them, under these folds); 75.4% since pack 0.4.30's two context words support it
    // by half as much (passage.isolatedContextWordStep).
    expect(mean(theory.map((book) => ({ ...book, loss: book.isolatedLoss })))).toBeGreaterThanOrEqual(0.745);
    // Each book cut into documents of 8,000 characters (an article, a web page), each masked with the
    // default policy: measured 90.1% of the theory books, at most 2.7% of a pre-1900 book (the
    // Michelson–Morley paper; 4.9% since the retraining for paragraphs without blank lines, as in its
    // book). At the book's threshold, before short documents had their own, Maxwell's Five Papers cut
    // into documents of 2,000 characters lost 8.7%.
    for (const book of pre) expect(book.documentLoss, book.name).toBeLessThanOrEqual(0.05);
    expect(pre.filter((book) => book.documentLoss > 0.01).length).toBeLessThanOrEqual(1);
    // 92.1% with pack 0.4.30; 93.6% since pack 0.4.31 lets a paragraph of a short document with no other
    // finding be supported by its own context words (passage.shortDocumentContextWords), no pre-1900 book moving.
    expect(mean(theory.map((book) => ({ ...book, loss: book.documentLoss })))).toBeGreaterThanOrEqual(0.93);
    expect(result.documentThreshold).toBeGreaterThan(result.threshold);
    const labelled = mixed;
    console.info(`mixed books: targets removed ${labelled.targetsRemoved}/${labelled.targets}, keeps touched ${labelled.keepsTouched}/${labelled.keeps}`);
    expect(labelled.targets + labelled.keeps).toBeGreaterThanOrEqual(150);
    // Measured 47 of 50 and 32 of 115 (31 with pack 0.4.24; 32 again with the document floor of 0.4.25) since pack 0.4.11's radium-heat claim (44 and 26 before it; 43 and 19
    // at a 0.5% budget without the keep margin; 45 and 45 before paragraphs that only retell a keep
    // context trained at 0.3): the claim makes the classifier read more of a radioactivity book's
    // radium chapters as target, three targets for six keeps. 46 and 35 since a single paragraph of
    // prose between two removed ones goes with them (maskers/policy.ts): four keeps for no target
    // here, for the theory books' 95.0% → 95.7%. 46 and 32 since pack 0.4.32's keep margin of 3 (2
    // before): a paragraph naming a keep context must clear the threshold by 3 on its own score, and
    // three keeps stay for no target (the theory books unchanged, Michelson–Morley 1887 2.2% → 0%).
    expect(labelled.targetsRemoved / labelled.targets).toBeGreaterThanOrEqual(0.9);
    expect(labelled.keepsTouched / labelled.keeps).toBeLessThanOrEqual(0.28);
    // Their books cut into documents of 8,000 characters: measured 42 of 50 and 19 of 115; 43 and 21
    // since the retraining for paragraphs without blank lines; 46 and 25 with pack 0.4.11; 47 and 27
    // since a document goes whole past 34% of its sentences flagged, not 50% (maskers/policy.ts); 47
    // and 28 since research text trains the model too (pack 0.4.24; in the book 47 and 31, from 32); 47
    // and 29 since pack 0.4.31's context words of a short document (one keep, for the theory books'
    // documents 92.1 → 93.6%).
    expect(labelled.targetsRemovedInDocuments).toBeGreaterThanOrEqual(43);
    expect(labelled.keepsTouchedInDocuments).toBeLessThanOrEqual(29);
    // Each labelled paragraph masked as a document of its own, as a reviewer checking paragraphs one by
    // one sees it: measured 36 of 50 targets removed and 11 of 115 keeps touched (33 and 10 while a keep
    // context always shielded a paragraph alone; isolatedKeepMargin 0 now judges it by its own score);
    // 38 and 13 with pack 0.4.11; 42 and 17 at the 1.5% budget for a paragraph alone (a paragraph
    // alone that names a keep context must clear it by isolatedKeepMargin 0.7); 42 and 19 since pack
    // 0.4.26 retrained without the Project Gutenberg licence that 18 books still carried; 43 and 20
    // since pack 0.4.28 lets three context words of one concept support a paragraph alone, the price
    // of the theory books' paragraphs alone going from 69.2 to 72.5% under these five folds (replayed
    // on the leave-one-out scores, the keeps it takes are Marie Curie's account of measuring uranium
    // and thorium minerals, 1898, and Planck's paragraph on emission and absorption of radiant heat); 44
    // and 24 since pack 0.4.30 lets two context words support a paragraph alone by half the margin
    // (passage.isolatedContextWordStep), the price of the theory books' paragraphs alone going from
    // 72.5 to 75.4% here (72.4 to 75.2% leaving each book out) with no pre-1900 book losing more than
    // 0.6 point more alone.
    console.info(`mixed books, each paragraph alone: targets removed ${labelled.targetsRemovedAlone}/${labelled.targets}, keeps touched ${labelled.keepsTouchedAlone}/${labelled.keeps}`);
    expect(labelled.targetsRemovedAlone / labelled.targets).toBeGreaterThanOrEqual(0.8);
    expect(labelled.keepsTouchedAlone / labelled.keeps).toBeLessThanOrEqual(0.21);
    expect(labelled.targetsRemovedAlone).toBeGreaterThanOrEqual(41);
    // Labelled research text (the training spec's documents: the arXiv abstracts of April 2007 and the
    // unarXive papers of December 2022), each masked whole as a document by a model trained without it:
    // measured 43 of 47 physics abstracts and 16 of 20 physics papers lost at least half (the papers
    // 86.0% of their text on average), and 3 of 49 and 8 of 25 others lost anything (4.8% and 3.1% of
    // their text). The model trained on books alone (pack 0.4.23), on the same documents unseen: 41 of
    // 47 and 14 of 20 (77.1%), 2 of 49 and 7 of 25 (1.5%).
    const [abstracts, papers] = result.documents!;
    expect([abstracts.targets, abstracts.keeps, papers.targets, papers.keeps]).toEqual([47, 49, 20, 25]);
    console.info(`research text held out: abstracts ${abstracts.targetsRemoved}/${abstracts.targets}, others touched ${abstracts.keepsTouched}/${abstracts.keeps}; papers ${(papers.targetsMeanRemoved * 100).toFixed(1)}% removed (${papers.targetsRemoved}/${papers.targets}), others ${(papers.keepsMeanLost * 100).toFixed(1)}%`);
    expect(abstracts.targetsRemoved).toBeGreaterThanOrEqual(43);
    expect(abstracts.keepsTouched).toBeLessThanOrEqual(3);
    expect(papers.targetsMeanRemoved).toBeGreaterThanOrEqual(0.85);
    expect(papers.targetsRemoved).toBeGreaterThanOrEqual(16);
    expect(papers.keepsMeanLost).toBeLessThanOrEqual(0.035);
  });

  it('computing: books after 1935 lose most, calculating machines, logic and the telegraph keep theirs', { timeout: 600_000 }, async () => {
    const result = await runTrain({ pack: 'computing-modern', data: DATA, folds: 5, write: false, judgedOnly: true });
    console.info(table(result.books));
    const pre = result.books.filter((book) => book.side === 'negative');
    const post = result.books.filter((book) => book.side === 'positive');
    // Carroll's Symbolic Logic (1896) reads like a modern logic text to the model: a known failure,
    // measured 29.8% since its diagrams take the score of the prose around them (42.8% before).
    for (const book of pre.filter((book) => !book.name.includes('carroll_'))) expect(book.loss, book.name).toBeLessThanOrEqual(0.02);
    expect(pre.find((book) => book.name.includes('carroll_'))!.loss).toBeLessThanOrEqual(0.33);
    expect([result.budget, result.isolatedBudget]).toEqual([0.004, 0.005]);
    expect(mean(post)).toBeGreaterThanOrEqual(0.85);
    // Each paragraph masked as a document of its own: measured 79.9% since pack 0.3.10's context words
    // support a paragraph alone (OpenLogic's Turing machines 61.7 → 69.7%), and no pre-1936 book
    // but Carroll loses more than 2.7% so (the telegraph's Vail); 81.3% since pack 0.3.12's two
    // context words support it by half as much (SICP 66.4 → 69.9%), no pre-1936 book moving.
    expect(mean(post.map((book) => ({ ...book, loss: book.isolatedLoss })))).toBeGreaterThanOrEqual(0.805);
    for (const book of pre.filter((book) => !book.name.includes('carroll_'))) expect(book.isolatedLoss, book.name).toBeLessThanOrEqual(0.03);
  });
});
