/**
 * Detection quality on labelled and real data (../shared): the rates the
 * lexical, entity and context detectors must reach, measured with the
 * default detector chain of `lacuna mask`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { loadPack } from '../maskers/pack/load.js';
import { segment, type Span } from '../maskers/segment/segmenter.js';
import { readCorpus, readSharedText, runCli, SHARED, sharedAvailable, tempDir, WITHOUT_SEMANTIC } from './helpers.js';

const available = sharedAvailable('detection quality on ../shared/eval and ../shared/corpora/physics');
const { pack } = await loadPack('physics-post-1900');
// The rule detectors alone: the passage classifier is measured held out in passage.test.ts.
const chain = DetectorChain.forPack(pack, ['lexical', 'entity', 'context']);


function flaggedShare(spans: Span[], findings: Span[]): number {
  const flagged = spans.filter((span) => findings.some((finding) => finding.start < span.end && finding.end > span.start));
  return flagged.length / spans.length;
}

describe.runIf(available)('detection quality', () => {
  it('flags ≥ 95% of kw and para sentences and ≤ 5% of pre and other sentences of the dev set', async () => {
    const rows = readFileSync(join(SHARED, 'eval/physics-post1900.dev.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const rate = async (kind: string) => {
      const sentences = rows.filter((row) => row[1] === kind).map((row) => row[2]);
      expect(sentences.length).toBeGreaterThan(5);
      let flagged = 0;
      for (const sentence of sentences) if ((await chain.detect(sentence)).findings.length > 0) flagged++;
      return flagged / sentences.length;
    };
    const rates = { kw: await rate('kw'), para: await rate('para'), pre: await rate('pre'), other: await rate('other') };
    console.info(`dev set flagged: kw ${(rates.kw * 100).toFixed(1)}%, para ${(rates.para * 100).toFixed(1)}%, pre ${(rates.pre * 100).toFixed(1)}%, other ${(rates.other * 100).toFixed(1)}%`);
    expect(rates.kw).toBeGreaterThanOrEqual(0.95);
    // In sample: the pack's claims were written with these paraphrases in view. Sentences they were not
    // written from are measured in claims.test.ts and the planted-paraphrase tests.
    expect(rates.para).toBeGreaterThanOrEqual(0.95);
    expect(rates.pre).toBeLessThanOrEqual(0.05);
    expect(rates.other).toBeLessThanOrEqual(0.05);
  });

  it("finds something in ≥ 90% of the body paragraphs of Einstein's Relativity (PG 5001)", async () => {
    const text = readSharedText('physics/post1900/einstein_relativity_pg5001.txt');
    // Body paragraphs: prose of at least 40 words (not headings, formulas or the table of contents).
    const body = segment(text).paragraphs.filter((paragraph) => text.slice(paragraph.start, paragraph.end).split(/\s+/).length >= 40);
    expect(body.length).toBeGreaterThan(200);
    const share = flaggedShare(body, (await chain.detect(text)).findings);
    console.info(`Einstein, Relativity: ${(share * 100).toFixed(1)}% of ${body.length} body paragraphs carry a finding`);
    expect(share).toBeGreaterThanOrEqual(0.9);
  });

  it("flags ≤ 1% of the sentences of Maxwell's five papers and of Faraday's Experimental Researches", async () => {
    for (const name of ['pre1900/maxwell_five_papers_pg4908.txt', 'pre1900/faraday_experimental_researches_electricity_v1_pg14986.txt']) {
      const text = readSharedText(`physics/${name}`);
      const { sentences } = segment(text);
      const share = flaggedShare(sentences, (await chain.detect(text)).findings);
      console.info(`${name}: ${(share * 100).toFixed(2)}% of ${sentences.length} sentences flagged`);
      expect(share).toBeLessThanOrEqual(0.01);
    }
  });

  it('keeps ≥ 97% of the sentences of Michelson and Morley (1887) through lacuna mask', async () => {
    const input = join(SHARED, 'corpora/physics/pre1900/michelson_morley_relative_motion_aether_1887_pg70888.txt');
    const out = join(tempDir(), 'mm');
    const result = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--strip-gutenberg', '--quiet', ...WITHOUT_SEMANTIC]);
    expect(result.code).toBe(0);
    const before = segment(readSharedText('physics/pre1900/michelson_morley_relative_motion_aether_1887_pg70888.txt')).sentences.length;
    const corpus = readCorpus(out);
    const after = corpus.length === 0 ? 0 : segment(corpus[0].text).sentences.length;
    console.info(`Michelson–Morley 1887: ${after} of ${before} sentences kept`);
    expect(after / before).toBeGreaterThanOrEqual(0.97);
  });
});

describe('plain-language sentences written after the rules (test/data/physics-post-1900.paraphrases-3.tsv)', () => {
  it('finds some post-1900 statements and flags no pre-1900 one, with the default detectors', async () => {
    // Written and committed before any detector ran on them, and never tuned on: 30 statements of every
    // concept of the pack in everyday words, and 20 of pre-1900 physics (look-alikes among them: the
    // ether, cathode rays, the uranium rays, Mercury's perihelion). A measure of what the rules and the
    // classifier do with wording nobody here anticipated: 13 of 30 found, 0 of 20 flagged. (Claims
    // written from the first two sets' misses took those sets from 18 of 46 to 45 of 46 and this one
    // from 13 to 14 of 30; they were not kept, since they would have spent the first two sets as measures.)
    // Pack 0.4.10's plain statements, written for the pack without reading this set: 14 of 30.
    const rows = readFileSync(join(import.meta.dirname, 'data', 'physics-post-1900.paraphrases-3.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const defaults = DetectorChain.forPack(pack);
    const found = async (label: string) => {
      let count = 0;
      for (const row of rows.filter((row) => row[0] === label)) if ((await defaults.detect(row[2])).findings.length > 0) count++;
      return count;
    };
    expect(rows.filter((row) => row[0] === '1')).toHaveLength(30);
    expect(rows.filter((row) => row[0] === '0')).toHaveLength(20);
    const post = await found('1');
    const pre = await found('0');
    console.info(`third sentence set: ${post} of 30 post-1900 statements found, ${pre} of 20 pre-1900 flagged`);
    expect(post).toBeGreaterThanOrEqual(14);
    expect(pre).toBe(0);
  });
});

describe('the bundled sample (what a new user masks first)', () => {
  it('loses every post-1900 and mixed record and keeps every pre-1900 one but Zeeman 1896', async () => {
    const records = readFileSync(join(import.meta.dirname, '..', 'samples', 'physics-mini.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; meta: { era: string } });
    const out = join(tempDir(), 'run');
    expect((await runCli(['mask', join(import.meta.dirname, '..', 'samples', 'physics-mini.jsonl'), '--pack', 'physics-post-1900', '--out', out, '--quiet'])).code).toBe(0);
    const kept = new Set(readCorpus(out).map((doc) => doc.id));
    for (const record of records.filter((item) => item.meta.era === 'post-1900' || item.meta.era === 'mixed')) expect(kept.has(record.id), record.id).toBe(false);
    // Zeeman's broadened lines explained by Lorentz's electrons vibrating inside the atom: the classifier
    // alone reads a paragraph about electrons in atoms as post-1900 (score 3.45 against 1.95). The
    // Michelson–Morley, FitzGerald and Galilean-relativity records (2.09–2.39) name a keep context, so
    // alone they must clear the threshold by the pack's isolatedKeepMargin (0.7) as well.
    const lost = records.filter((item) => item.meta.era === 'pre-1900' && !kept.has(item.id)).map((item) => item.id);
    expect(lost).toEqual(['zeeman-1896']);
  });
});
