/**
 * The verdict against --max-leak: PASSED only when the top of the measured share of target text
 * left is within the limit, FAILED when the measure itself is over it (or re-detection or integrity
 * fails), INCONCLUSIVE otherwise; --fail-on-leak exits 1 on anything but PASSED.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateLeakage, type HeldOutRates } from '../pipelines/leakage-estimate.js';
import { islandRemoval } from '../pipelines/leakage-report.js';
import { checkLeak, DEFAULT_MAX_LEAK, verificationStatus } from '../pipelines/leak-limit.js';
import { jsonl, readCorpus, readManifest, readSharedText, ROOT, runCli, sharedAvailable, tempDir } from './helpers.js';

const MM = 'physics/pre1900/michelson_morley_relative_motion_aether_1887_pg70888.txt';

const rates: HeldOutRates = {
  detectors: ['lexical'],
  books: [
    { name: 'p1', side: 'positive', chars: 1000, loss: 0.8 },
    { name: 'p2', side: 'positive', chars: 1000, loss: 1 },
    { name: 'n1', side: 'negative', chars: 1000, loss: 0 },
    { name: 'n2', side: 'negative', chars: 1000, loss: 0.02 },
  ],
};
const clean = { concepts: { relativity: { passed: true } } };

describe('the bound on target text left', () => {
  it('assumes no false removal: every removed character target text, at the low end of recall', () => {
    // r = 0.9 (0.8 when the bootstrap draws p1 twice, a quarter of the draws: the 2.5% quantile), f = 0.01.
    const estimate = estimateLeakage(100_000, 1_880, rates);
    expect(estimate.recall.low).toBeCloseTo(0.8, 6);
    // Rogan–Gladen: T = (1,880 − 0.01·100,000) / (0.9 − 0.01), and a tenth of it left.
    expect(estimate.remainingChars.estimate).toBe(Math.round(0.1 * (880 / 0.89)));
    expect(estimate.remainingBound).toBe(Math.round((1_880 / 0.8) * 0.2));
    // Removing less than every other book loses (f ≥ 1%, f·C ≥ 1,000 here) reads as no target text at
    // all to Rogan–Gladen, interval and all; the bound still counts what was removed.
    const hard = { ...rates, books: rates.books.map((book) => (book.name === 'n1' ? { ...book, loss: 0.01 } : book)) };
    const little = estimateLeakage(100_000, 500, hard);
    expect(little.remainingChars).toEqual({ estimate: 0, low: 0, high: 0 });
    expect(little.remainingBound).toBe(Math.round((500 / 0.8) * 0.2));
    // A corpus nobody masked holds all of T: at most D / r.
    expect(estimateLeakage(100_000, 500, rates, { masked: false }).remainingBound).toBe(Math.round(500 / 0.8));
  });
});

describe('target text removed in scattered pieces', () => {
  const paragraphs = [
    { start: 0, end: 100 },
    { start: 102, end: 202 },
    { start: 204, end: 304 },
    { start: 306, end: 406 },
    { start: 408, end: 508 },
  ];

  it('is what went as islands: a sentence out of a kept paragraph, or a paragraph whose neighbours stay', () => {
    // A sentence out of paragraph 0, which stays: a small island.
    expect(islandRemoval(paragraphs, [{ start: 10, end: 40 }])).toEqual({ small: 30, large: 0 });
    // Paragraph 2 whole, its neighbours kept: an island, small (under ISLAND_SENTENCE_CHARS).
    expect(islandRemoval(paragraphs, [{ start: 204, end: 304 }])).toEqual({ small: 100, large: 0 });
    // Paragraphs 1 and 2 together: a run, not counted; with a sentence of paragraph 4 besides, that sentence is.
    expect(islandRemoval(paragraphs, [{ start: 102, end: 304 }, { start: 450, end: 470 }])).toEqual({ small: 20, large: 0 });
    // A one-paragraph document that goes is an island: it has no neighbours; of 400 characters, a large one.
    expect(islandRemoval([{ start: 0, end: 400 }], [{ start: 0, end: 400 }])).toEqual({ small: 0, large: 400 });
    expect(islandRemoval(paragraphs, [])).toEqual({ small: 0, large: 0 });
  });

  it('is taken at the recall of paragraphs, or of sentences, masked alone in the bound behind a PASSED verdict', () => {
    const alone: HeldOutRates = { ...rates, books: rates.books.map((book) => (book.side === 'positive' ? { ...book, isolatedLoss: book.loss / 2, sentenceLoss: book.loss / 4 } : book)) };
    const inRuns = estimateLeakage(100_000, 1_880, alone);
    expect(inRuns.remainingBound).toBe(Math.round((1_880 / 0.8) * 0.2));
    // Paragraphs alone: recall 0.45 (0.4 at its 2.5% quantile), what is left ≤ D·(1 − 0.4)/0.4.
    const large = estimateLeakage(100_000, 1_880, alone, { islandChars: { small: 0, large: 1_880 } });
    expect(large.aloneRecall.low).toBeCloseTo(0.4, 6);
    expect(large.remainingBound).toBe(Math.round((1_880 / 0.4) * 0.6));
    // Sentences alone: recall 0.225 (0.2); a mix takes each part at its own rate.
    const mixed = estimateLeakage(100_000, 1_880, alone, { islandChars: { small: 880, large: 500 } });
    expect(mixed.sentenceRecall.low).toBeCloseTo(0.2, 6);
    expect(mixed.remainingBound).toBe(Math.round((500 / 0.8) * 0.2 + (500 / 0.4) * 0.6 + (880 / 0.2) * 0.8));
    expect(mixed.method).toContain('at the recall of paragraphs masked alone (500) and of sentences masked alone (880, islands under 300 characters)');
  });

  it('gives no PASSED verdict to a corpus whose planted paraphrases the rules only partly found', async () => {
    // Michelson and Morley 1887 with one-sentence paraphrases of post-1900 physics planted as
    // paragraphs of their own. The default detectors find three of these four; with the three taken
    // at a book's recall the bound was 182 characters (0.8% of the output) and the verdict PASSED,
    // while a sentence of 81 characters was left. (With the ten of test/semantic.test.ts: 226
    // characters and PASSED, with 704 left; with pack 0.4.28, 1,065 and INCONCLUSIVE.)
    if (!sharedAvailable('paraphrases planted in Michelson–Morley 1887')) return;
    const planted = [
      'A clock that moves quickly past you ticks more slowly than the one on your wrist.',
      'The straightest path a planet can follow is a curve in the bent geometry of space and time.',
      'The farther away a galaxy lies, the faster it is rushing away from us.',
      'Light arrives in separate little packets, and each packet carries an energy set by its colour.',
    ];
    const text = readSharedText(MM);
    const cut = text.split('\n\n');
    const every = Math.floor(cut.length / (planted.length + 1));
    const withPlanted = cut.flatMap((paragraph, at) => (at > 0 && at % every === 0 && at / every <= planted.length ? [paragraph, planted[at / every - 1]] : [paragraph])).join('\n\n');
    const dir = tempDir();
    writeFileSync(join(dir, 'planted.jsonl'), jsonl([{ id: 'mm-planted', text: withPlanted }]));
    const out = join(dir, 'run');
    await runCli(['mask', join(dir, 'planted.jsonl'), '--pack', 'physics-post-1900', '--out', out, '--quiet']);
    const { verification, collateral } = readManifest(out);
    const masked = readCorpus(out)[0].text;
    const left = planted.filter((sentence) => masked.includes(sentence)).reduce((sum, sentence) => sum + sentence.length, 0);
    expect(left).toBeGreaterThan(0);
    // Each was removed as an island of a sentence (all but the separators an edit takes with a paragraph).
    expect(collateral.islandChars!.small).toBeGreaterThan(0.9 * collateral.removedChars);
    expect(verification.status).not.toBe('passed');
    expect(verification.estimate.remainingBound).toBeGreaterThanOrEqual(left);
  });
});

describe('the verdict against the limit', () => {
  it('passes within the limit, fails over it, and is inconclusive where the interval straddles it', () => {
    // 98,120 characters are left; the bound is 470 of them (0.48%), the point estimate 99 (0.10%).
    const estimate = estimateLeakage(100_000, 1_880, rates);
    const within = checkLeak({ estimate }, 0.01);
    expect(within).toMatchObject({ measure: 'estimate', outcome: 'within', limit: 0.01 });
    expect(within.share!.high).toBeCloseTo(470 / 98_120, 4);
    expect(verificationStatus({ ...clean, estimate }, within)).toBe('passed');
    const straddling = checkLeak({ estimate }, 0.003);
    expect(straddling.outcome).toBe('unbounded');
    expect(verificationStatus({ ...clean, estimate }, straddling)).toBe('inconclusive');
    const over = checkLeak({ estimate }, 0.0005);
    expect(over.outcome).toBe('over');
    expect(verificationStatus({ ...clean, estimate }, over)).toBe('failed');
  });

  it('fails on a residual finding or a broken run directory whatever the estimate, and is inconclusive with nothing measured', () => {
    const estimate = estimateLeakage(100_000, 1_880, rates);
    const within = checkLeak({ estimate }, 0.01);
    expect(verificationStatus({ concepts: { relativity: { passed: false } }, estimate }, within)).toBe('failed');
    expect(verificationStatus({ ...clean, estimate, integrity: { passed: false, problems: ['corpus/part-00000.jsonl.gz: sha256 differs'] } }, within)).toBe('failed');
    const nothing = checkLeak({ estimate: null }, 0.5);
    expect(nothing).toMatchObject({ measure: 'none', share: null, outcome: 'unbounded' });
    expect(verificationStatus({ ...clean, estimate: null }, nothing)).toBe('inconclusive');
  });

  it('cannot pass on an estimate that reaches the whole output', () => {
    // Everything but 1,000 characters removed at r = 0.9: what was removed implies more missed than is left.
    const saturated = estimateLeakage(10_000, 9_000, rates);
    expect(saturated.remainingChars.estimate).toBe(1_000);
    expect(checkLeak({ estimate: saturated }, 1)).toMatchObject({ share: null, outcome: 'unbounded' });
  });

  it('prefers a labelled sample to the estimate', () => {
    const estimate = estimateLeakage(100_000, 1_880, rates);
    const labels = { leakage: { estimate: 0.05, low: 0.01, high: 0.2, labelled: 20, passages: 400 } } as never;
    expect(checkLeak({ estimate, labels }, 0.01)).toMatchObject({ measure: 'labels', outcome: 'over', share: { estimate: 0.05, low: 0.01, high: 0.2 } });
    expect(checkLeak({ estimate, labels }, 0.2).outcome).toBe('within');
  });
});

describe('lacuna mask --max-leak and --fail-on-leak', () => {
  const sample = readFileSync(join(ROOT, 'samples', 'physics-mini.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; text: string });

  it('exits 1 on the bundled sample, whose estimate leans high, and says why', async () => {
    // 36 one-paragraph documents dense with keywords, every post-1900 one dropped: at the recall
    // measured on paragraphs masked alone (about half), what was removed implies nearly as much missed,
    // so the estimate is most of the output and the run fails (a labelled sample would show the truth).
    const out = join(tempDir(), 'run');
    const run = await runCli(['mask', join(ROOT, 'samples', 'physics-mini.jsonl'), '--pack', 'physics-post-1900', '--out', out, '--fail-on-leak']);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[1]).toMatch(/^Verification: FAILED: re-detection .+ left 0 finding\(s\) .+ Estimated target text left in the output: [\d,]+ characters .+ over the 1% of the output --max-leak allows\. Label a sample \(`lacuna verify RUN --sample N`, then `--labels`\) to measure it\.$/);
    const { verification, config } = readManifest(out);
    expect(verification).toMatchObject({ passed: false, status: 'failed', leak: { limit: DEFAULT_MAX_LEAK, measure: 'estimate', outcome: 'over' } });
    expect(verification.leak.share.estimate).toBeGreaterThan(0.5);
    expect(config.maxLeak).toBe(DEFAULT_MAX_LEAK);
  });

  it('passes, exit 0, a corpus of pre-1900 physics from which nothing was removed, and verify keeps the run\'s limit', async () => {
    const dir = tempDir();
    const input = join(dir, 'pre.jsonl');
    const pre = sample.filter((doc) => ['maxwell-displacement', 'faraday-induction', 'kinetic-theory', 'hertz-waves', 'chemistry-candle', 'geology'].includes(doc.id));
    writeFileSync(input, jsonl(pre));
    const out = join(dir, 'run');
    const run = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--fail-on-leak', '--max-leak', '0.001']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.split('\n')[1]).toMatch(/^Verification: PASSED: .+ By the estimate, target text is at most 0\.0% of the output \(95% upper bound, assuming no false removal at all\), within the 0\.1% of the output --max-leak allows\.$/);
    expect(readManifest(out).verification).toMatchObject({ passed: true, status: 'passed', leak: { limit: 0.001, outcome: 'within' } });
    const again = JSON.parse((await runCli(['verify', out, '--json'])).stdout);
    expect(again.leak.limit).toBe(0.001);
    expect(again.status).toBe('passed');
    const bad = await runCli(['verify', out, '--max-leak', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--max-leak <fraction>' argument '2' is invalid. expected a number from 0 to 1");
  });
});
