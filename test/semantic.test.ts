/**
 * The semantic detector and verification, end to end through the CLI with the
 * default detectors (USE lite from the npm package; no network).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { stripGutenberg } from '../corpora/gutenberg.js';
import { segment } from '../maskers/segment/segmenter.js';
import { ALL_DETECTORS, jsonl, readCorpus, readJsonlFile, readManifest, runCli, SHARED, sharedAvailable, tempDir, WITHOUT_SEMANTIC } from './helpers.js';

const available = sharedAvailable('semantic detection and verification on ../shared');

/**
 * Post-1900 physics in other words: no term, person or formula of the pack in any of them
 * (the first test checks that), written for this test, not taken from the pack or the dev set.
 */
const PLANTED = [
  'However fast an observer travels, every measurement of the speed of light gives exactly the same value.',
  'A clock flown at great speed around the world and brought back is found to lag behind the clocks that stayed put.',
  'The orbit of a planet is simply the straightest path available in the bent geometry of space and time around the Sun.',
  'An oscillating charge can give out radiation only in separate bundles whose size grows with the frequency.',
  'Knowing exactly where a particle is rules out knowing exactly how fast it is moving.',
  'The farther away a galaxy lies, the faster it is rushing away from us, as if the whole universe were swelling.',
  'Cooled nearly to absolute zero, a ring of lead will carry a current round and round for years without any battery.',
  'Every speck of matter hides a store of energy equal to its mass multiplied twice by the speed of light.',
  'When a particle meets its mirror-image twin, both vanish in a flash of radiation.',
  'Deep in the Sun, hydrogen is steadily turned into helium, and that is what makes it shine.',
];

/**
 * A second set of twenty, written later in the same way (test/data/physics-post-1900.planted-second.tsv).
 * Unlike the ten above, it was looked at when choosing the calibration's background size and budget
 * among five settings (see the README), so it is not quite unseen.
 */
const SECOND: string[] = readFileSync(join(import.meta.dirname, 'data', 'physics-post-1900.planted-second.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t')[1]);

const MM = 'corpora/physics/pre1900/michelson_morley_relative_motion_aether_1887_pg70888.txt';

/** Michelson and Morley 1887 with each planted sentence added as a paragraph of its own, evenly spaced. */
function plantedText(planted: readonly string[] = PLANTED): { text: string; original: string[] } {
  const text = stripGutenberg(readFileSync(join(SHARED, MM), 'utf8')).text;
  const { paragraphs } = segment(text);
  const original = segment(text).sentences.map((sentence) => text.slice(sentence.start, sentence.end));
  const every = Math.floor(paragraphs.length / (planted.length + 1));
  let out = '';
  let cursor = 0;
  planted.forEach((sentence, index) => {
    const paragraph = paragraphs[(index + 1) * every];
    out += text.slice(cursor, paragraph.end) + '\n\n' + sentence;
    cursor = paragraph.end;
  });
  return { text: out + text.slice(cursor), original };
}

describe.runIf(available)('semantic detection', () => {
  it('meets the dev-set rates with all detectors: kw ≥ 97%, para ≥ 90%, pre ≤ 7%, other ≤ 5%', async () => {
    const rows = readFileSync(join(SHARED, 'eval/physics-post1900.dev.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const dir = tempDir();
    const input = join(dir, 'dev.jsonl');
    writeFileSync(input, jsonl(rows.map((row, index) => ({ id: `${row[1]}-${index}`, text: row[2] }))));
    const out = join(dir, 'audit');
    const result = await runCli(['audit', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...ALL_DETECTORS]);
    expect(result.code).toBe(0);
    const flagged = new Set(readJsonlFile<{ id: string }>(join(out, 'documents.jsonl.gz')).map((row) => row.id));
    const rate = (kind: string) => {
      const ids = rows.map((row, index) => `${row[1]}-${index}`).filter((id) => id.startsWith(`${kind}-`));
      return ids.filter((id) => flagged.has(id)).length / ids.length;
    };
    const rates = { kw: rate('kw'), para: rate('para'), pre: rate('pre'), other: rate('other') };
    console.info(`dev set, all detectors: ${Object.entries(rates).map(([kind, value]) => `${kind} ${(value * 100).toFixed(1)}%`).join(', ')}`);
    expect(rates.kw).toBeGreaterThanOrEqual(0.97);
    expect(rates.para).toBeGreaterThanOrEqual(0.9);
    expect(rates.pre).toBeLessThanOrEqual(0.07);
    expect(rates.other).toBeLessThanOrEqual(0.05);
  });

  it('removes paraphrased post-1900 sentences planted in Michelson–Morley 1887 and keeps ≥ 98% of the original sentences', async () => {
    const { text, original } = plantedText([...PLANTED, ...SECOND]);
    const dir = tempDir();
    const input = join(dir, 'planted.jsonl');
    writeFileSync(input, jsonl([{ id: 'mm-planted', text }]));
    // Few are found by words alone: this tests meaning, not vocabulary. (One of the second set speaks of a
    // train "moving close to the speed of light", which the pack has named since the recall-first rules; the
    // pack's claims, statements in plain words, find one of the ten, "the straightest path … in the bent
    // geometry of space and time", and eleven more of the twenty: their first 26 were written without
    // these sentences in view and found three; the 28 after, written once their misses had been seen, eight more.
    // A second of the ten, "the farther away a galaxy lies, the faster it is rushing away", has been found
    // since "the faster" joined the expanding-universe claim for another sentence, written before this list was read.)
    const lexicalOnly = join(dir, 'lexical');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', lexicalOnly, '--quiet', ...WITHOUT_SEMANTIC])).code).toBe(0);
    const lexicalText = readCorpus(lexicalOnly)[0].text;
    // (And "Adding the speeds of two fast rockets never gives more than the speed of light" since the phrase
    // matcher stopped missing -ing forms of short stems: the claim always listed "adding".)
    // (And, since pack 0.4.11, "Deep in the Sun, hydrogen is steadily turned into helium": the fusion claim
    // took "turned" for a sentence written for the pack, by someone who had read this list that day.)
    expect([...PLANTED, ...SECOND].filter((sentence) => !lexicalText.includes(sentence)).length).toBeLessThanOrEqual(16);
    expect(PLANTED.filter((sentence) => lexicalText.includes(sentence)).length).toBeGreaterThanOrEqual(7);

    const out = join(dir, 'masked');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--max-flagged', '1', ...ALL_DETECTORS])).code).toBe(0);
    const masked = readCorpus(out)[0].text;
    const gone = (sentences: readonly string[]) => sentences.filter((sentence) => !masked.includes(sentence));
    const kept = original.filter((sentence) => masked.includes(sentence));
    console.info(`planted: ${gone(PLANTED).length} of ${PLANTED.length} removed, second set ${gone(SECOND).length} of ${SECOND.length}; original sentences kept: ${kept.length} of ${original.length}`);
    expect(kept.length / original.length).toBeGreaterThanOrEqual(0.98);
    // Measured with USE lite and the calibrated pack: 7 of the ten and 15 of the twenty (before the
    // centre and the added exemplars: 7 and 10; with the pack's claims, 7 and 19). See the README for what is missed and why.
    expect(gone(PLANTED).length).toBeGreaterThanOrEqual(7);
    expect(gone(SECOND).length).toBeGreaterThanOrEqual(15);

    // The estimate of target text left never falls below the truth: the planted characters still there.
    const left = [...PLANTED, ...SECOND].filter((sentence) => masked.includes(sentence)).reduce((sum, sentence) => sum + sentence.length, 0);
    const { remainingChars } = readManifest(out).verification.estimate;
    console.info(`planted: ${left} characters left; estimated ${remainingChars.estimate} (${remainingChars.low}–${remainingChars.high})`);
    // Since the claims, the rules find more than the book rates credit them with, so the estimate leans
    // high (1,134 for 405 left): it must never fall below what is left, nor be uselessly far above it.
    expect(remainingChars.high).toBeGreaterThanOrEqual(left);
    expect(remainingChars.estimate).toBeLessThanOrEqual(left * 3);
  });

  it('lacuna verify fails a corpus that still holds such sentences, and names them', async () => {
    const { text } = plantedText();
    const dir = tempDir();
    const input = join(dir, 'planted.jsonl');
    writeFileSync(input, jsonl([{ id: 'mm-planted', text }]));
    const out = join(dir, 'leaky');
    // Masked by words alone, the paraphrases stay in the corpus...
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...WITHOUT_SEMANTIC])).code).toBe(0);
    // ...and verification with the semantic index finds them.
    const verify = await runCli(['verify', out, '--detectors', 'lexical,entity,context,semantic', '--fail-on-leak', '--json']);
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.stdout);
    expect(report.passed).toBe(false);
    expect(report.integrity.passed).toBe(true);
    const leaks = Object.values(report.concepts as Record<string, { passages: { leak: boolean; id: string; context: string }[] }>).flatMap((concept) => concept.passages.filter((passage) => passage.leak));
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.every((passage) => passage.id === 'mm-planted')).toBe(true);
    // Of the planted sentences the rules left, verify names all but at most three (7 of 10 before the claims).
    const left = PLANTED.filter((sentence) => readCorpus(out)[0].text.includes(sentence));
    const named = left.filter((sentence) => leaks.some((passage) => passage.context.includes(`⟦${sentence}⟧`)));
    console.info(`verify named ${named.length} of the ${left.length} planted sentences the rules left as leaks`);
    expect(named.length).toBeGreaterThanOrEqual(left.length - 3);
    expect(report.index.recallAt10).toBeGreaterThanOrEqual(0.9);
  });

  it('lacuna verify detects a corpus file altered after the run', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    expect((await runCli(['mask', join(SHARED, MM), '--pack', 'physics-post-1900', '--out', out, '--strip-gutenberg', '--quiet', ...WITHOUT_SEMANTIC])).code).toBe(0);
    const clean = await runCli(['verify', out, '--detectors', 'lexical,entity,context', '--json']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).integrity).toEqual({ passed: true, problems: [] });
    const shard = join(out, 'corpus', 'part-00000.jsonl.gz');
    const [doc] = readJsonlFile<{ id: string; text: string }>(shard);
    writeFileSync(shard, gzipSync(jsonl([{ ...doc, text: doc.text + ' Special relativity was slipped in later.' }])));
    const altered = await runCli(['verify', out, '--detectors', 'lexical,entity,context', '--json']);
    expect(altered.code).toBe(1);
    const report = JSON.parse(altered.stdout);
    expect(report.integrity.problems).toContain('corpus/part-00000.jsonl.gz: sha256 differs from the manifest (altered after the run)');
    expect(report.concepts['special-relativity'].lexical).toBe(1);
  });
});

describe.runIf(available)('semantic verification unit by unit', () => {
  it('finds, over several work units (and lacuna verify over several shards), the leaks one index over the whole output finds', async () => {
    // Michelson–Morley's first paragraphs as records, the planted sentences among them, in byte ranges of about 2 KB.
    const text = stripGutenberg(readFileSync(join(SHARED, MM), 'utf8')).text;
    const paragraphs = segment(text).paragraphs.slice(0, 30).map((paragraph) => text.slice(paragraph.start, paragraph.end));
    const records = paragraphs.flatMap((paragraph, at) => [{ id: `mm-${at}`, text: paragraph }, ...(at % 3 === 2 ? [{ id: `planted-${at}`, text: PLANTED[(at - 2) / 3] }] : [])]);
    const dir = tempDir();
    const input = join(dir, 'records.jsonl');
    writeFileSync(input, jsonl(records));
    const out = join(dir, 'out');
    // --min-score 1: the policy acts on no semantic finding, so the planted sentences stay for verification to find.
    const masked = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--min-score', '1', '--unit-bytes', '2KB', ...ALL_DETECTORS]);
    expect(masked.code, masked.stderr).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.work.units).toBeGreaterThanOrEqual(4);
    expect(manifest.outputs.filter((output: { path: string }) => output.path.endsWith('/hnsw.bin')).length).toBe(manifest.work.units);
    // One unit: one index over the whole output, the reference the merge of the units' nearest passages must equal.
    const single = join(dir, 'single');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', single, '--quiet', '--min-score', '1', ...ALL_DETECTORS])).code).toBe(0);
    expect(readManifest(single).work.units).toBe(1);
    const whole = JSON.parse(readFileSync(join(single, 'report.json'), 'utf8')).verification;
    // lacuna verify of the many-unit run: an index per shard, merged the same way.
    const verified = JSON.parse((await runCli(['verify', out, '--json'])).stdout);
    const leaks = (concepts: Record<string, { passages: { leak: boolean; hash: string }[] }>) => Object.values(concepts).flatMap((concept) => concept.passages.filter((passage) => passage.leak).map((passage) => passage.hash)).sort();
    const byUnits = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).verification;
    const counts = (concepts: Record<string, { semantic: number }>) => Object.fromEntries(Object.entries(concepts).map(([id, concept]) => [id, concept.semantic]));
    expect(counts(byUnits.concepts)).toEqual(counts(whole.concepts));
    expect(leaks(byUnits.concepts)).toEqual(leaks(whole.concepts));
    // Four of the planted sentences here reach verification (the rules remove the rest: one more since pack 0.4.11).
    expect(leaks(byUnits.concepts).length).toBeGreaterThanOrEqual(4);
    expect(byUnits.index.units).toBe(whole.index.units);
    console.info(`${manifest.work.units} units: ${leaks(byUnits.concepts).length} leaks found, as by one index over the whole output`);
    expect(counts(verified.concepts)).toEqual(counts(whole.concepts));
    expect(leaks(verified.concepts)).toEqual(leaks(whole.concepts));
  }, 240_000);
});
