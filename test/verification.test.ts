/**
 * Verification for auditors (issue 13): one rule for detection and verification, a verdict that
 * names its methods and never reads PASSED on re-detection alone, an estimate with an interval,
 * waivers of reviewed false positives, a labelled sample read back with Wilson intervals, and
 * the same estimate for a corpus Lacuna did not make.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../indexes/cache-dir.js';
import { loadSemanticModels } from '../indexes/semantic-models.js';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { SemanticDetector } from '../maskers/detectors/semantic.js';
import { loadPack } from '../maskers/pack/load.js';
import { wilson } from '../pipelines/labelled-sample.js';
import { estimateLeakage } from '../pipelines/leakage-estimate.js';
import { passageVerdicts } from '../pipelines/semantic-verification.js';
import { jsonl, readCorpus, readManifest, ROOT, runCli, SHARED, sharedAvailable, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'samples', 'physics-mini.jsonl');

describe('one rule for detection and verification', () => {
  it('gives the same answer for a sentence with a keep term inside it, and for a pre-1900 look-alike', async () => {
    const { pack } = await loadPack('physics-post-1900');
    // The suite shares one cache (vitest.config.ts); a cold one only costs the first test its distillation.
    const models = await loadSemanticModels(process.env.LACUNA_CACHE_DIR ?? defaultCacheDir());
    const chain = await DetectorChain.create(pack, { detectors: ['semantic'], models });
    const semantic = await SemanticDetector.create(pack, models);
    const sentences = [
      'Nothing, not even information, can travel faster than light, whatever the ether drift.',
      'Michelson and Morley found no displacement of the interference fringes when the apparatus was turned.',
    ];
    const verified = await passageVerdicts(pack, semantic, sentences);
    for (const [at, sentence] of sentences.entries()) {
      const detected = (await chain.detect(sentence)).findings.some((finding) => finding.detector === 'semantic');
      expect(verified[at].flagged, sentence).toBe(detected);
    }
    // The first is target knowledge with a keep term ("ether drift") inside it: both flag it.
    expect(verified[0].flagged).toBe(true);
    expect(verified[1].flagged).toBe(false);
  });
});

describe('the verdict', () => {
  it('of a run re-checked by rules alone says exactly that, and makes no estimate', async () => {
    const out = join(tempDir(), 'run');
    const run = await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', out, '--detectors', 'lexical,entity,context']);
    expect(run.code).toBe(0);
    const line = run.stdout.split('\n')[1];
    expect(line).toBe(
      'Verification: INCONCLUSIVE: re-detection by rules (lexical, entity, context) left 0 finding(s) (0 allowed per concept). No estimate of the target text left: the held-out rates were measured with the detectors lexical, entity, context, passage; this run did not use passage. Re-detection cannot see what its own detectors miss, so this is not a measure of leakage. Nothing shows target text within the 1% of the output --max-leak allows: not shown clean.',
    );
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`**${line}**`);
  });

  it('of a default run names the classifier and the estimate, the same on every rerun; where the estimate reaches the whole output it says it bounds nothing', async () => {
    // The sample's post-1900 and mixed documents, every one dropped, and one document on a candle: at
    // the recall measured on paragraphs masked alone, what was removed implies more missed than the
    // 159 characters left.
    const dir = tempDir();
    const records = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; meta: { era: string } });
    const input = join(dir, 'dense.jsonl');
    writeFileSync(input, jsonl(records.filter((record) => record.meta.era !== 'pre-1900' && (record.meta.era !== 'other' || record.id === 'chemistry-candle'))));
    const lines: string[] = [];
    for (const name of ['a', 'b']) {
      const run = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', join(dir, name)]);
      expect(run.code).toBe(0);
      lines.push(run.stdout.split('\n')[1]);
    }
    expect(lines[0]).toBe(lines[1]);
    expect(lines[0]).toMatch(/^Verification: INCONCLUSIVE: re-detection by rules \(lexical, entity, context\), the learned passage classifier left 0 finding\(s\) \(0 allowed per concept\)\. The estimate of target text left reaches all [\d,]+ characters of the output: at the detectors' held-out recall of \d+% \(\d+%–\d+%\) on \d+ target books, .+ Label a sample/);
    const { estimate } = readManifest(join(dir, 'a')).verification;
    expect(estimate.removedChars).toBeGreaterThan(0);
    expect(estimate.singleParagraphChars).toBe(estimate.inputChars);
    expect(estimate.remainingChars.estimate).toBe(estimate.inputChars - estimate.removedChars);
    expect(estimate.remainingChars.low).toBeLessThanOrEqual(estimate.remainingChars.estimate);
    expect(estimate.remainingChars.estimate).toBeLessThanOrEqual(estimate.remainingChars.high);
    expect(estimate.books.positive).toBeGreaterThanOrEqual(10);
    // Shared out over the concepts by the characters removed for each: the parts add up to the whole.
    const parts = Object.values(estimate.remainingByConcept) as { estimate: number }[];
    expect(Math.abs(parts.reduce((sum, part) => sum + part.estimate, 0) - estimate.remainingChars.estimate)).toBeLessThanOrEqual(parts.length);
  });

  it('counts one-paragraph, short and long documents as the passage detector judges them, and the estimate weighs each at its own rates', async () => {
    const dir = tempDir();
    const paragraph = (i: number) => `The candle burns with a bright flame, and the melted wax rises in the wick by capillary attraction, as paragraph ${i} of the lecture shows.`;
    const documents = [
      { id: 'one', text: paragraph(0) },
      { id: 'short', text: [1, 2, 3].map(paragraph).join('\n\n') },
      { id: 'long', text: Array.from({ length: 40 }, (_, i) => paragraph(i)).join('\n\n') },
    ];
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, documents.map((document) => JSON.stringify(document)).join('\n') + '\n');
    const run = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', join(dir, 'out'), '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const manifest = readManifest(join(dir, 'out'));
    expect(manifest.collateral).toMatchObject({ inputChars: documents.reduce((sum, document) => sum + document.text.length, 0), singleParagraphChars: documents[0].text.length, shortDocumentChars: documents[1].text.length });
    const { estimate } = manifest.verification;
    expect(estimate).toMatchObject({ singleParagraphChars: documents[0].text.length, shortDocumentChars: documents[1].text.length });
    expect(estimate.method).toContain('in short documents, weighed at the rates measured on books cut into documents of 8,000 characters');
  });
});

describe('the estimate', () => {
  const rates = {
    detectors: ['lexical'],
    books: [
      { name: 'p1', side: 'positive' as const, chars: 1000, loss: 0.8 },
      { name: 'p2', side: 'positive' as const, chars: 1000, loss: 1 },
      { name: 'n1', side: 'negative' as const, chars: 1000, loss: 0 },
      { name: 'n2', side: 'negative' as const, chars: 1000, loss: 0.02 },
    ],
  };

  it('solves removed = r·T + f·(C − T) for T, and leaves (1 − r)·T after masking', () => {
    // r = 0.9, f = 0.01; C = 10,000 with T = 2,000: D = 1,800 + 80 = 1,880.
    const estimate = estimateLeakage(10_000, 1_880, rates);
    expect(estimate.recall.estimate).toBeCloseTo(0.9, 6);
    expect(estimate.falseRemoval.estimate).toBeCloseTo(0.01, 6);
    expect(estimate.targetChars.estimate).toBe(2000);
    expect(estimate.remainingChars.estimate).toBe(200);
    expect(estimate.remainingChars.low).toBeLessThanOrEqual(200);
    expect(estimate.remainingChars.high).toBeGreaterThanOrEqual(200);
    expect(estimateLeakage(10_000, 1_880, rates, { masked: false }).remainingChars.estimate).toBe(2000);
    expect(estimateLeakage(10_000, 1_880, rates)).toEqual(estimate);
  });

  it('weighs documents of one paragraph at the rates measured on paragraphs masked alone, and never leaves more than masking left', () => {
    const shaped = { ...rates, books: rates.books.map((book) => ({ ...book, isolatedLoss: book.side === 'positive' ? book.loss / 2 : book.loss })) };
    // Half the input in one-paragraph documents: r = 0.9 / 2 + 0.45 / 2 = 0.675.
    const half = estimateLeakage(10_000, 1_880, shaped, { singleParagraphChars: 5_000 });
    expect(half.recall.estimate).toBeCloseTo(0.675, 6);
    expect(half.singleParagraphChars).toBe(5_000);
    expect(half.method).toContain('50.0% of the input is in documents of one paragraph');
    // A model without the paragraph-alone rates (trained before they were stored) gives the book rates.
    expect(estimateLeakage(10_000, 1_880, rates, { singleParagraphChars: 10_000 }).recall.estimate).toBeCloseTo(0.9, 6);
    // At r = 0.45 the removed 1,880 imply T = 4,280 and 2,354 left; only 8,120 are left at all, but here that is no bound.
    const alone = estimateLeakage(10_000, 1_880, shaped, { singleParagraphChars: 10_000 });
    expect(alone.remainingChars.estimate).toBe(Math.round((1 - 0.45) * ((1_880 - 0.01 * 10_000) / (0.45 - 0.01))));
    // Where it is: 9,000 removed of 10,000 cannot leave more than 1,000.
    expect(estimateLeakage(10_000, 9_000, shaped, { singleParagraphChars: 10_000 }).remainingChars.high).toBeLessThanOrEqual(1_000);
  });

  it('weighs short documents at the rates measured on books cut into documents', () => {
    const shaped = { ...rates, books: rates.books.map((book) => ({ ...book, isolatedLoss: book.side === 'positive' ? book.loss / 2 : book.loss, documentLoss: book.side === 'positive' ? book.loss * 0.8 : book.loss })) };
    // A fifth in one-paragraph documents, half in short ones, the rest long: r = 0.2·0.45 + 0.5·0.72 + 0.3·0.9.
    const mixed = estimateLeakage(10_000, 1_880, shaped, { singleParagraphChars: 2_000, shortDocumentChars: 5_000 });
    expect(mixed.recall.estimate).toBeCloseTo(0.2 * 0.45 + 0.5 * 0.72 + 0.3 * 0.9, 6);
    expect(mixed.shortDocumentChars).toBe(5_000);
    expect(mixed.method).toContain('50.0% in short documents');
    // A model without the short-document rates gives the book rates there.
    expect(estimateLeakage(10_000, 1_880, rates, { shortDocumentChars: 10_000 }).recall.estimate).toBeCloseTo(0.9, 6);
  });

  it('uses Wilson intervals for labelled shares', () => {
    expect(wilson(0, 20)).toEqual({ estimate: 0, low: 0, high: 0.1611 });
    expect(wilson(5, 20)).toEqual({ estimate: 0.25, low: 0.1119, high: 0.4687 });
  });
});

describe('the estimate on labelled text', () => {
  it.skipIf(!sharedAvailable('the estimate against the labelled dev set'))('contains the target characters the dev set and the paraphrase set leave after masking with the default detectors', async () => {
    // The dev set alone is now masked whole by the rules (its paraphrases are what the pack's claims were
    // written from); the 66 labelled paraphrases beside the tests were never tuned on, and most survive.
    const tsvRows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const rows = [...tsvRows(join(SHARED, 'eval', 'physics-post1900.dev.tsv')), ...tsvRows(join(ROOT, 'test/data/physics-post-1900.paraphrases.tsv'))];
    const dir = tempDir();
    const input = join(dir, 'labelled.jsonl');
    writeFileSync(input, jsonl(rows.map((row, index) => ({ id: `s${index}`, text: row[2] }))));
    const out = join(dir, 'run');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet'])).code).toBe(0);
    const kept = new Map(readCorpus(out).map((doc) => [doc.id, doc.text]));
    const left = rows.reduce((sum, row, index) => sum + (row[0] === '1' ? (kept.get(`s${index}`)?.length ?? 0) : 0), 0);
    const { remainingChars } = readManifest(out).verification.estimate;
    console.info(`dev and paraphrase sets: ${left} target characters left; estimated ${remainingChars.estimate} (${remainingChars.low}–${remainingChars.high})`);
    expect(left).toBeGreaterThan(0);
    // Every document here is one sentence, so the estimate uses the rates measured on paragraphs masked
    // alone (at least 300 characters), where the detectors find more than in a short sentence: it may
    // lean high, the safe side, but its interval must never end below what is left, nor be uselessly far above it.
    // (The pack's claims find more in a single sentence than the paragraph-alone rates credit: 2.3× here.)
    expect(remainingChars.high).toBeGreaterThanOrEqual(left);
    expect(remainingChars.estimate).toBeGreaterThanOrEqual(left * 0.75);
    expect(remainingChars.estimate).toBeLessThanOrEqual(left * 3);
  });
});

describe('waivers', () => {
  it('clear a reviewed false positive by its passage hash, and the report records the waiver file', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl([{ id: 'w', text: 'In 1921 Einstein lectured on geometry and experience at the Prussian Academy.' }]));
    const out = join(dir, 'run');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--detectors', 'lexical'])).code).toBe(0);
    const failed = await runCli(['verify', out, '--detectors', 'lexical,entity', '--json']);
    const report = JSON.parse(failed.stdout);
    expect(report.passed).toBe(false);
    const passages = Object.values(report.concepts).flatMap((concept: any) => concept.passages);
    expect(passages.length).toBeGreaterThan(0);
    const waiver = join(dir, 'waiver.tsv');
    writeFileSync(waiver, `# reviewed 2026-11-30\n${passages.map((passage: any) => `${passage.hash}\tbiography, not physics`).join('\n')}\n`);
    const waived = JSON.parse((await runCli(['verify', out, '--detectors', 'lexical,entity', '--json', '--waive', waiver])).stdout);
    // Re-detection is clean once waived; the run masked without the classifier, so no estimate bounds what is left.
    expect(report.status).toBe('failed');
    expect(Object.values(waived.concepts).every((concept: any) => concept.passed)).toBe(true);
    expect(waived.status).toBe('inconclusive');
    expect(waived.waiver).toMatchObject({ path: waiver, entries: passages.length, applied: passages.length });
    expect(waived.waiver.sha256).toMatch(/^[0-9a-f]{64}$/);

    writeFileSync(waiver, `${passages[0].hash}\n`);
    const refused = await runCli(['verify', out, '--waive', waiver]);
    expect(refused).toMatchObject({ code: 2, stderr: `lacuna: ${waiver}:1: passage ${passages[0].hash} has no reason (hash, a tab, then why it is not target knowledge)\n` });
  });
});

describe('a labelled sample', () => {
  it('is drawn the same for the same seed, and read back as leakage and collateral damage with Wilson intervals', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    expect((await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', out, '--quiet'])).code).toBe(0);
    const first = await runCli(['verify', out, '--sample', '4', '--seed', '7']);
    const second = await runCli(['verify', out, '--sample', '4', '--seed', '7']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stderr).toMatch(/^sampled \d+ passages \(seed 7\)/);
    const rows = first.stdout.trim().split('\n');
    expect(rows[0]).toBe('label\tside\tband\tid\tseq\tstart\tend\ttext');
    const data = rows.filter((row, index) => index > 0 && !row.startsWith('#'));
    expect(data.some((row) => row.split('\t')[1] === 'kept')).toBe(true);
    expect(data.some((row) => row.split('\t')[1] === 'removed')).toBe(true);

    // A reviewer who finds every removed passage to be target knowledge and one kept passage too.
    let keptSeen = 0;
    const labelled = rows.map((row, index) => {
      if (index === 0 || row.startsWith('#')) return row;
      const side = row.split('\t')[1];
      const label = side === 'removed' ? '1' : keptSeen++ === 0 ? '1' : '0';
      return label + row;
    });
    const labels = join(dir, 'labels.tsv');
    writeFileSync(labels, labelled.join('\n') + '\n');
    const measured = JSON.parse((await runCli(['verify', out, '--labels', labels, '--json'])).stdout);
    const kept = data.filter((row) => row.split('\t')[1] === 'kept').length;
    expect(measured.labels.collateral).toMatchObject({ estimate: 0, low: 0 });
    expect(measured.labels.leakage.labelled).toBe(kept);
    expect(measured.labels.leakage.estimate).toBeGreaterThan(0);
    expect(measured.labels.leakage.high).toBeGreaterThan(measured.labels.leakage.estimate);
    expect(measured.verdict).toContain(`Measured on ${data.length} labelled passages:`);
    // The labelled sample, not the estimate, is weighed against --max-leak: one kept passage in the
    // sample is target knowledge, over the 1% allowed; allowing all of the output, it passes.
    expect(measured.leak).toMatchObject({ measure: 'labels', outcome: 'over' });
    expect(measured.status).toBe('failed');
    expect(measured.verdict).toMatch(/ By the labelled sample, target text is [\d.]+% of the output, over the 1% of the output --max-leak allows\.$/);
    const allowed = JSON.parse((await runCli(['verify', out, '--labels', labels, '--json', '--max-leak', '1'])).stdout);
    expect(allowed).toMatchObject({ status: 'passed', leak: { measure: 'labels', outcome: 'within', limit: 1 } });

    writeFileSync(labels, rows.join('\n') + '\n');
    const unlabelled = await runCli(['verify', out, '--labels', labels]);
    expect(unlabelled.code).toBe(2);
    expect(unlabelled.stderr).toMatch(/^lacuna: .+labels\.tsv:3: no label \(write 1 for target knowledge, 0 for not\)\n$/);
  });
});

describe('any corpus', () => {
  it('gets the estimate of the target text it holds, and the scratch run is removed', async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('lacuna-verify-')).length;
    const run = await runCli(['verify', '--pack', 'physics-post-1900', SAMPLE, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.estimate.masked).toBe(false);
    expect(report.estimate.targetChars.estimate).toBeGreaterThan(0);
    expect(report.passed).toBe(false);
    expect(report.verdict).toMatch(/^Verification: FAILED: .+ Estimated target text in the corpus: /);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('lacuna-verify-')).length).toBe(before);
    expect(existsSync(SAMPLE)).toBe(true);
  });
});

describe('the score distribution of the output', () => {
  it('is measured by mask per document and by verify over the shards, and they agree', async () => {
    const out = join(tempDir(), 'run');
    expect((await runCli(['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', out, '--quiet'])).code).toBe(0);
    const measured = readManifest(out).verification.outputScores as { band: string; paragraphs: number }[];
    expect(measured.map((row) => row.band)).toEqual(['far below threshold (< t−4)', 'below threshold (t−4 … t−2)', 'just below threshold (t−2 … t)', 'at or above threshold (≥ t)']);
    expect(measured.reduce((sum, row) => sum + row.paragraphs, 0)).toBeGreaterThan(0);
    const verified = JSON.parse((await runCli(['verify', out, '--json'])).stdout);
    expect(verified.outputScores).toEqual(measured);
  });
});
