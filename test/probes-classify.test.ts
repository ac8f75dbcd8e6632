/** `lacuna probes classify` on the MMLU physics sets, against labels written by hand. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonlFile, ROOT, runCli, SHARED, sharedAvailable, tempDir, classifyAgainstHandLabels } from './helpers.js';

const available = sharedAvailable('probe classification of ../shared/corpora/probes/mmlu');
const SETS = ['college_physics', 'high_school_physics', 'conceptual_physics', 'astronomy'];

describe.runIf(available)('lacuna probes classify', () => {
  it('labels every question of the MMLU physics sets and agrees with ≥ 85% of the hand labels', async () => {
    const out = join(tempDir(), 'labels.jsonl');
    const files = SETS.map((set) => join(SHARED, 'corpora/probes/mmlu', `${set}_test.csv`));
    const result = await runCli(['probes', 'classify', ...files, '--pack', 'physics-post-1900', '--out', out]);
    expect(result.code).toBe(0);
    const labels = new Map(readJsonlFile<{ id: string; label: string; evidence: string[] }>(out).map((item) => [item.id, item]));
    // Every question is labelled (102 + 151 + 235 + 152 in these files).
    expect(labels.size).toBe(640);
    for (const item of labels.values()) {
      expect(['masked', 'control', 'unrelated']).toContain(item.label);
      if (item.label !== 'unrelated') expect(item.evidence.length).toBeGreaterThan(0);
    }
    const hand = readFileSync(join(ROOT, 'test/data/mmlu-physics-hand-labels.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    expect(hand.length).toBeGreaterThanOrEqual(30);
    const agreeing = hand.filter(([set, index, label]) => labels.get(`${set}_test#${index}`)?.label === label);
    console.info(`MMLU hand labels: ${agreeing.length} of ${hand.length} agree (${((agreeing.length / hand.length) * 100).toFixed(1)}%)`);
    expect(agreeing.length / hand.length).toBeGreaterThanOrEqual(0.85);

    // 160 more (80 high-school, 80 conceptual; seeded sample), labelled by hand by the pack's rules before
    // anything was run, split in halves stratified by label. Vocabulary was added looking at the tune half
    // only; the measure half is what this asserts.
    const second = readFileSync(join(ROOT, 'test/data/mmlu-physics-hand-labels-2.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    expect(second.length).toBe(160);
    const measure = second.filter((row) => row[3] === 'measure');
    const got = (row: string[]) => labels.get(`${row[0]}_test#${row[1]}`)?.label;
    const masked = measure.filter((row) => row[2] === 'masked');
    const agree = measure.filter((row) => got(row) === row[2]).length;
    const found = masked.filter((row) => got(row) === 'masked').length;
    const asControl = masked.filter((row) => got(row) === 'control').length;
    console.info(`MMLU second set, measure half: ${agree} of ${measure.length} agree; masked found ${found} of ${masked.length}, called control ${asControl}`);
    expect(agree / measure.length).toBeGreaterThanOrEqual(0.9);
    // 10 and 3 until the question was read as the stem with each choice, one statement each (set 4);
    // 11 and 2 until pack 0.4.9 named the oil drop's charge and fission with fusion.
    expect(found).toBeGreaterThanOrEqual(12);
    expect(asControl).toBeLessThanOrEqual(1);

    // A third set of 117 (seeded sample of the questions not yet labelled), labelled by hand and committed
    // before any detector was run on it. Measured untuned at the commit that added it: 107 agree, 14 of 19
    // masked found, 5 called control. Physics pack 0.4.9 then took vocabulary from its five misses (an LED
    // lamp, the twin who stays at home, the photoelectric effect and the particle model) along with a modern
    // textbook's glossary: 111, 17 and 2 since, in sample. The second set's measure half is the held-out one.
    const third = readFileSync(join(ROOT, 'test/data/mmlu-physics-hand-labels-3.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    expect(third.length).toBe(117);
    const thirdMasked = third.filter((row) => row[2] === 'masked');
    const thirdAgree = third.filter((row) => got(row) === row[2]).length;
    const thirdFound = thirdMasked.filter((row) => got(row) === 'masked').length;
    const thirdControl = thirdMasked.filter((row) => got(row) === 'control').length;
    console.info(`MMLU third set (tuned on since 0.4.9): ${thirdAgree} of ${third.length} agree; masked found ${thirdFound} of ${thirdMasked.length}, called control ${thirdControl}`);
    expect(thirdAgree / third.length).toBeGreaterThanOrEqual(0.9);
    expect(thirdFound).toBeGreaterThanOrEqual(17);
    expect(thirdControl).toBeLessThanOrEqual(2);

    // A fourth set: the 169 college and conceptual questions still unlabelled (57 masked), labelled and
    // committed before any detector ran on them, then used to tune (speeds as fractions of c, quantum
    // numbers, electrons that diffract, Hermitian operators, the microwave background, radioactive
    // heating of the Earth, energies in eV, field words such as barometer and eclipse, stem and choice read
    // as one statement). Before: 136 agree, 38 found, 13 called control. In sample: sets 2 (measure half) and 3 above are the measures.
    // 155 and 51 until pack 0.4.26's semiconductor devices and electrical field words (written for the sixth set below).
    const fourth = readFileSync(join(ROOT, 'test/data/mmlu-physics-hand-labels-4.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    expect(fourth.length).toBe(169);
    const fourthMasked = fourth.filter((row) => row[2] === 'masked');
    const fourthAgree = fourth.filter((row) => got(row) === row[2]).length;
    const fourthFound = fourthMasked.filter((row) => got(row) === 'masked').length;
    console.info(`MMLU fourth set (tuned on): ${fourthAgree} of ${fourth.length} agree; masked found ${fourthFound} of ${fourthMasked.length}`);
    expect(fourthAgree).toBeGreaterThanOrEqual(159);
    expect(fourthFound).toBeGreaterThanOrEqual(54);

    // A fifth set: all 152 astronomy questions, labelled and committed before any detector ran on them
    // (17 masked: supernovae, galaxies and their distances, dark energy, black holes, radioactive dating;
    // 121 control, 39 of them planetary science after 1900 that the pack does not mask; 14 unrelated),
    // split in halves alternately within each label. Astronomy words joined the pack's field, and the
    // Andromeda Galaxy, superclusters, megaparsecs, millions of light years, Cepheids as yardsticks and
    // radioactive dating its targets, looking at the tune half only; a stem ending in a question mark
    // now reads with its choice as one sentence. The measure half before that: 51 of 75 agree, masked
    // found 4 of 8, 2 called control (31 of all 121 controls were called unrelated). 5 found and 3 called
    // control until pack 0.4.9's galaxies by their kind ("dwarf galaxy"), a term written after reading a
    // measure-half miss (the Large Magellanic Cloud): that one question is in sample now.
    const fifth = readFileSync(join(ROOT, 'test/data/mmlu-astronomy-hand-labels.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    expect(fifth.length).toBe(152);
    const fifthMeasure = fifth.filter((row) => row[3] === 'measure');
    const fifthMasked = fifthMeasure.filter((row) => row[2] === 'masked');
    const fifthAgree = fifthMeasure.filter((row) => got(row) === row[2]).length;
    const fifthFound = fifthMasked.filter((row) => got(row) === 'masked').length;
    const fifthControl = fifthMasked.filter((row) => got(row) === 'control').length;
    console.info(`MMLU astronomy, measure half: ${fifthAgree} of ${fifthMeasure.length} agree; masked found ${fifthFound} of ${fifthMasked.length}, called control ${fifthControl}`);
    // Two questions on exoplanets (hot Jupiters; the methods that found planets orbiting near their
    // stars) were labelled control as "planetary science outside the pack" before pack 0.4.21 made
    // exoplanets a term; relabelled masked with pack 0.4.23 (one in each half). The measure-half one
    // names no term and is called control: 62 → 61 agree, 2 → 3 masked called control.
    expect(fifthAgree).toBeGreaterThanOrEqual(61);
    expect(fifthFound).toBeGreaterThanOrEqual(6);
    expect(fifthControl).toBeLessThanOrEqual(3);
  });

  it('reads electrical engineering: semiconductor devices are masked, machines and instruments control', async () => {
    // A sixth set: all 150 questions of MMLU's electrical engineering (5 dev, 145 test), labelled by the
    // pack's rules and committed before any detector ran on them (19 masked: diodes, thyristors and
    // SCRs, p-type carriers, the Bohr model, DRAM's transistor, an op-amp, an integrated circuit;
    // 94 control: machines, instruments, circuits, illumination; 37 unrelated: digital logic,
    // microprocessors, control systems). Untuned (pack 0.4.25): 115 of 150 agreed, 5 of 19 masked
    // were found and 13 called control (measure half: 53 of 74, 1 of 9, 7) — the pack named no
    // thyristor, SCR, op-amp or minority carrier, and read "semi-conductor" as two words. Pack 0.4.26
    // named the devices and the field's machines and instruments; every miss of both halves had been
    // read, so these numbers are in sample.
    const { labelled, questions, agree, masked, found, asControl, controlsMasked } = await classifyAgainstHandLabels('electrical_engineering', 'physics-post-1900', 'mmlu-electrical-engineering-hand-labels.tsv');
    expect(labelled).toBe(150);
    console.info(`MMLU electrical engineering (in sample): ${agree} of ${questions} agree; masked found ${found} of ${masked}, called control ${asControl}; controls called masked ${controlsMasked}`);
    expect(agree).toBeGreaterThanOrEqual(131);
    expect(found).toBeGreaterThanOrEqual(16);
    // The one left: a lamp question whose choice is a bare "LED" (old geometry names points so).
    expect(asControl).toBeLessThanOrEqual(2);
    expect(controlsMasked).toBe(0);
  });

  it('says in one line what is wrong with a malformed question file', async () => {
    const bad = join(tempDir(), 'bad.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, '{"question": 1}\n');
    const result = await runCli(['probes', 'classify', bad, '--pack', 'physics-post-1900']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.jsonl line 1: 'question' is missing or not a string/);
  });
});
