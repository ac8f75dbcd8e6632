/**
 * The computing-modern pack on its labelled sentences (test/data) and on the
 * real texts of ../shared/corpora/computing: Babbage 1834 and Turck 1921 must
 * stay; the PDP-3 and IBM 1401 manuals, the Oak Ridge ALGOL manual and a
 * modern systems book must be flagged throughout.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { loadPack } from '../maskers/pack/load.js';
import { segment } from '../maskers/segment/segmenter.js';
import { expectLabelledRates, readCorpus, readSharedText, ROOT, runCli, SHARED, sharedAvailable, tempDir, classifyAgainstHandLabels } from './helpers.js';

const available = sharedAvailable('the computing pack on ../shared/corpora/computing');
const LABELLED = join(ROOT, 'test/data/computing-modern.labelled.tsv');
const BABBAGE = 'babbages_calculating_engine_1834_pg71292.txt';
const TURCK = 'turck_origin_modern_calculating_machines_1921_pg69386.txt';


const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Sentences of the original that are still in the masked text, word for word. */
function keptSentences(original: string, masked: string): { kept: string[]; lost: string[] } {
  const flat = squash(masked);
  const sentences = segment(original).sentences.map((sentence) => squash(original.slice(sentence.start, sentence.end)));
  return { kept: sentences.filter((sentence) => flat.includes(sentence)), lost: sentences.filter((sentence) => !flat.includes(sentence)) };
}

describe('computing-modern on its labelled sentences', () => {
  it('flags ≥ 90% of the target sentences and ≤ 7% of the keep sentences with all detectors', async () => {
    await expectLabelledRates(LABELLED, 'computing-modern');
  });
});

describe.runIf(available)('computing-modern on real texts', () => {
  /**
   * A whole book masked with the rules and the encoder. The passage classifier was trained on both
   * books, so it would be measured in-sample here (it is measured held out in
   * passage-heldout.test.ts). One book per test: the encoder reads nearly every sentence of these
   * books (about 17 a second), and both in one test took two minutes in CI.
   */
  async function maskBook(name: string): Promise<{ original: string; masked: string }> {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    copyFileSync(join(SHARED, 'corpora/computing', name), join(dir, 'in', name));
    const out = join(dir, 'out');
    const result = await runCli(['mask', join(dir, 'in'), '--pack', 'computing-modern', '--out', out, '--strip-gutenberg', '--quiet', '--detectors', 'lexical,entity,context,semantic']);
    expect(result.code, result.stderr).toBe(0);
    return { original: readSharedText(`computing/${name}`), masked: readCorpus(out)[0]?.text ?? '' };
  }

  it('keeps ≥ 98% of the sentences of Babbage (1834) through lacuna mask with the rules and the encoder', async () => {
    const { original, masked } = await maskBook(BABBAGE);
    const babbage = keptSentences(original, masked);
    const lost = babbage.lost.length / (babbage.kept.length + babbage.lost.length);
    console.info(`Babbage 1834: ${babbage.lost.length} of ${babbage.kept.length + babbage.lost.length} sentences lost (${(lost * 100).toFixed(2)}%)`);
    expect(babbage.kept.length).toBeGreaterThan(600);
    expect(lost).toBeLessThanOrEqual(0.02);
  });

  it('keeps ≥ 98% of the sentences of Turck (1921), and its account of the mechanical calculators by name', async () => {
    const { original, masked } = await maskBook(TURCK);
    const turck = keptSentences(original, masked);
    const lost = turck.lost.length / (turck.kept.length + turck.lost.length);
    // Not evenly: its first 70,000 characters lose 3.2% (13 of 401, key-driven machines read as modern computing).
    console.info(`Turck 1921: ${turck.lost.length} of ${turck.kept.length + turck.lost.length} sentences lost (${(lost * 100).toFixed(2)}%)`);
    expect(turck.kept.length).toBeGreaterThan(1000);
    expect(lost).toBeLessThanOrEqual(0.02);
    const flat = squash(masked);
    for (const passage of [
      'Pascal provided for the accumulation of the tens by automatically turning the wheel of next higher order one point through the action of the lower wheel.',
      'Thomas Hill, in 1857 secured a patent on a multiple-order key-driven calculating machine',
      'Felt produced, in the fall of 1886, a finished practical machine made of metal.',
      'To preserve correct actuation of the mechanism and overcome its momentum, Felt provided a detent toothed lever for each numeral wheel',
    ]) {
      expect(flat, `lost: ${passage}`).toContain(passage);
    }
  });

  it('flags the PDP-3, IBM 1401, ALGOL and modern systems texts throughout', async () => {
    const { pack } = await loadPack('computing-modern');
    const chain = DetectorChain.forPack(pack, ['lexical', 'entity', 'context']);
    for (const name of [
      'dec_pdp3_preliminary_specifications_1960_pg29461.txt',
      'ibm_1401_programming_systems_pg27468.txt',
      'oak_ridge_algol_compiler_cdc1604_pg50468.txt',
      'wienand_computer_science_from_the_bottom_up.txt',
    ]) {
      const text = readSharedText(`computing/${name}`);
      const findings = (await chain.detect(text)).findings;
      const body = segment(text).paragraphs.filter((paragraph) => text.slice(paragraph.start, paragraph.end).split(/\s+/).length >= 20);
      const carries = (paragraph: { start: number; end: number }) => findings.some((finding) => finding.start < paragraph.end && finding.end > paragraph.start);
      const share = body.filter(carries).length / body.length;
      // Throughout: every tenth of the text, in order, not only most of it.
      const tenths = Array.from({ length: 10 }, (_, tenth) => body.slice(Math.floor((tenth * body.length) / 10), Math.floor(((tenth + 1) * body.length) / 10)));
      const tenthShares = tenths.filter((part) => part.length > 0).map((part) => part.filter(carries).length / part.length);
      console.info(`${name}: ${(share * 100).toFixed(1)}% of ${body.length} body paragraphs carry a finding; by tenth ${tenthShares.map((value) => Math.round(value * 100)).join(' ')}`);
      expect(body.length).toBeGreaterThanOrEqual(20);
      expect(share).toBeGreaterThanOrEqual(0.9);
      expect(Math.min(...tenthShares)).toBeGreaterThanOrEqual(0.5);
    }
  });
});

describe.runIf(available)('computing-modern and MMLU high-school computer science (lacuna probes classify)', () => {
  // All 105 questions (5 dev, 100 test), labelled by the pack's rules and committed before any detector
  // ran on them (93 masked: programs, Python and Java, the Internet, security, data representation,
  // algorithms; 8 control: number bases, counting binary sequences, asymptotic growth; 4 unrelated:
  // reasoning about what a data set can answer), split in halves alternately within each label.
  // Untuned (pack 0.3.7): 22 of 105 agreed, 19 of 93 masked found, 10 called control and 64 unrelated
  // (measure half 10 of 52, 8 of 46, 2): the pack had no word for the Internet, e-mail, Python 3 or a
  // pixel. Pack 0.3.8 took an introductory course's vocabulary and code notation, written from a
  // glossary with the tune half's misses in view; the measure half's misses were not read. Three
  // controls (hexadecimal numbers) are called masked: the pack names hexadecimal a computing term,
  // the labels call base sixteen arithmetic older than 1936.
  it('finds the masked questions of the half nobody tuned on, and calls at most one control', async () => {
    const { labelled, questions, agree, masked, found, asControl } = await classifyAgainstHandLabels('high_school_computer_science', 'computing-modern', 'mmlu-high-school-computer-science-hand-labels.tsv', 'measure');
    expect(labelled).toBe(105);
    console.info(`MMLU high-school computer science, measure half: ${agree} of ${questions} agree; masked found ${found} of ${masked}, called control ${asControl}`);
    expect(agree).toBeGreaterThanOrEqual(34);
    expect(found).toBeGreaterThanOrEqual(34);
    expect(asControl).toBeLessThanOrEqual(1);
  });

  // MMLU college computer science, all 105 questions, labelled and committed after pack 0.3.8 was
  // written and never used to tune anything (84 masked: systems, networks, automata, algorithms; 21
  // control: number theory, graphs after Euler, Boolean completeness, counting, recurrences). Pack 0.3.7
  // read it 59 of 105, 56 of 84 masked found, 4 called control; 0.3.8, 63, 60 and 4. Most controls are
  // called unrelated (the field names no graph or divisor): they leave the control set, which a wrong
  // "control" would contaminate.
  it('reads a second exam nobody tuned on: college computer science', async () => {
    const { labelled, questions, agree, masked, found, asControl } = await classifyAgainstHandLabels('college_computer_science', 'computing-modern', 'mmlu-college-computer-science-hand-labels.tsv');
    expect(labelled).toBe(105);
    console.info(`MMLU college computer science (never tuned on): ${agree} of ${questions} agree; masked found ${found} of ${masked}, called control ${asControl}`);
    expect(agree).toBeGreaterThanOrEqual(63);
    expect(found).toBeGreaterThanOrEqual(60);
    expect(asControl).toBeLessThanOrEqual(4);
  });
});

describe('computing-modern on what a course says today (pack 0.3.8)', () => {
  let rules: DetectorChain | undefined;
  const found = async (text: string) => {
    rules ??= DetectorChain.forPack((await loadPack('computing-modern')).pack, ['lexical', 'entity', 'context']);
    return (await rules.detect(text)).findings.map((finding) => text.slice(finding.start, finding.end));
  };

  it('counts the Internet, e-mail, Python 3, pseudocode and Java declarations; leaves the snake, the island and the public', async () => {
    const statements = [
      'The file is broken into packets and sent over the Internet.',
      'An e-mail from your bank asks you to click a link.',
      'What is the output of "abc"[::-1] in Python 3?',
      'Let x = 1. What is x << 3?',
      'count ← count + 1',
      'REPEAT 3 TIMES { DISPLAY (result) }',
      'public int max(int num1, int num2) returns the larger.',
      'Each pixel of the image stores an RGB triplet.',
    ];
    const older = [
      'The python coiled round the branch of the tree in the menagerie.',
      'The coffee of Java and Sumatra was carried to Amsterdam.',
      'The public interest was served by the new telegraph line.',
      'The sum of the series is found by repeating the operation three times.',
    ];
    for (const statement of statements) expect(await found(statement), statement).not.toEqual([]);
    for (const sentence of older) expect(await found(sentence), sentence).toEqual([]);
  });
});
