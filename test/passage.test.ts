/**
 * The learned passage classifier: training is reproducible, the model file is
 * pinned by the pack, a tampered model is refused in one line, and `lacuna
 * train` rewrites only the pack's passage block.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastLetterShare, letterShare, passageFeatures } from '../indexes/classifier/features.js';
import { PassageModel } from '../indexes/classifier/passage-model.js';
import { DEFAULT_TRAINING, trainPassageModel, type TrainingBook } from '../indexes/classifier/train.js';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { documentScale, loadPassageModel, PassageDetector, PROSE_MIN_LETTER_SHARE, scoreParagraphs } from '../maskers/detectors/passage.js';
import { PackVocabulary } from '../maskers/detectors/vocabulary.js';
import { BUILTIN_PACK_DIR, loadPack } from '../maskers/pack/load.js';
import { packWarnings } from '../maskers/pack/schema.js';
import { documentSpans } from '../pipelines/book-measures.js';
import { KEEP_PARAGRAPH_LABEL, readTrainingSpec, relabelKeepParagraphs, runTrain, withPassageBlock, type Book } from '../pipelines/train.js';
import { CollateralCollector } from '../pipelines/leakage-report.js';
import { splitParagraphs } from '../maskers/segment/segmenter.js';
import { jsonl, readManifest, readSharedText, ROOT, runCli, sharedAvailable, tempDir } from './helpers.js';

const SETTINGS = { ...DEFAULT_TRAINING, buckets: 1 << 12, epochs: 4 };

/** A small book: paragraphs built from the given sentences, in a fixed order. */
function book(name: string, label: 0 | 1, sentences: string[], count: number): TrainingBook {
  const paragraphs: string[] = [];
  for (let p = 0; p < count; p++) paragraphs.push([0, 1, 2].map((k) => sentences[(p * 3 + k) % sentences.length]).join(' '));
  const text = paragraphs.join('\n\n');
  let at = 0;
  const spans = paragraphs.map((paragraph) => {
    const span = { start: at, end: at + paragraph.length };
    at += paragraph.length + 2;
    return span;
  });
  return { name, label, paragraphs: spans.map((span) => passageFeatures(text, SETTINGS.buckets, span.start, span.end)), lengths: spans.map((span) => span.end - span.start) };
}

const POST = ['The quantum of action fixes the energy of each oscillator.', 'Electrons jump between stationary orbits and emit a quantum.', 'The photon carries energy proportional to its frequency.', 'The nucleus holds nearly all the mass of the atom.'];
const PRE = ['The ether carries the waves of light between the stars.', 'A lens bends the rays of light toward its focus.', 'Heat flows from the warmer body to the colder one.', 'The magnet attracts iron filings along its lines of force.'];

/** The physics pack and its passage model, as shipped. */
async function physicsPassage() {
  const { pack } = await loadPack('physics-post-1900');
  return { pack, model: loadPassageModel(pack.passage!) };
}

/**
 * A data directory of two post and two pre books, `count` paragraphs of six sentences each (the
 * sentences rotating, so paragraphs differ), for `lacuna train --data`; `tail` ends the last book.
 */
function twoSidedBooks(count: number, tail = ''): string {
  const dir = tempDir();
  const paragraphs = (sentences: string[]) =>
    Array.from({ length: count }, (_, p) => [0, 1, 2, 3, 4, 5].map((k) => sentences[(p + k) % sentences.length]).join(' ')).join('\n\n');
  mkdirSync(join(dir, 'post'));
  mkdirSync(join(dir, 'pre'));
  writeFileSync(join(dir, 'post', 'a.txt'), paragraphs(POST));
  writeFileSync(join(dir, 'post', 'b.txt'), paragraphs([...POST].reverse()));
  writeFileSync(join(dir, 'pre', 'a.txt'), paragraphs(PRE));
  writeFileSync(join(dir, 'pre', 'b.txt'), paragraphs([...PRE].reverse()) + tail);
  return dir;
}

describe('passage model', () => {
  const books = [book('post-a', 1, POST, 40), book('post-b', 1, [...POST].reverse(), 30), book('pre-a', 0, PRE, 40), book('pre-b', 0, [...PRE].reverse(), 30)];

  it('trains to the same bytes twice and separates the two sides of the cutoff', () => {
    const first = trainPassageModel('test', books, SETTINGS);
    const second = trainPassageModel('test', books, SETTINGS);
    expect(first.serialize()).toBe(second.serialize());
    const text = `${POST.join(' ')}\n\n${PRE.join(' ')}`;
    const { logits } = scoreParagraphs(first.withSmoothing(0, 1), text);
    expect(logits[0]).toBeGreaterThan(0);
    expect(logits[1]).toBeLessThan(0);
  });

  it('scores paragraphs without building their vectors to the same bits as with them', async () => {
    // The detector's path (passageDots) and training's (passageFeatures, then dot) must agree exactly:
    // the threshold a book was measured at is the threshold the corpus is masked at.
    const { pack, model } = await physicsPassage();
    const text = [
      'The energy of the oscillator is a whole multiple of hν; Planck’s constant h = 6.55 × 10⁻²⁷ erg·sec.',
      'Einstein’s mass–energy relation, Δ m = Δ E / c 2 , follows from the Lorentz transformation of the four-momentum.',
      'A lens bends the rays of light toward its focus, and the ether carries the waves between the stars. '.repeat(30),
      'Schr\\"odinger’s ψ — pho-\ntons, 1905, 1913 — “quanta”: électron, ÆTHER, naïve, Ω, ﬁne.',
      '',
    ].join('\n\n');
    const spans = splitParagraphs(text);
    expect(spans.length).toBeGreaterThan(3);
    const fromVectors = model.logits(spans.map((span) => model.features(text, span.start, span.end)));
    expect(Array.from(model.logitsOfSpans(text, spans))).toEqual(Array.from(fromVectors));
    expect(new Set(fromVectors).size).toBe(fromVectors.length);
  });

  it('round-trips through its file, and names the field that is wrong in a bad one', () => {
    const model = trainPassageModel('test', books, SETTINGS);
    const again = PassageModel.parse(model.serialize());
    expect(again.serialize()).toBe(model.serialize());
    const file = JSON.parse(model.serialize());
    expect(() => PassageModel.parse(JSON.stringify({ ...file, own: 'AAAA' }))).toThrow(/^own: expected 4096 float32 weights/);
    expect(() => PassageModel.parse(JSON.stringify({ ...file, alpha: 2 }))).toThrow(/^alpha:/);
    expect(() => PassageModel.parse('{')).toThrow(/^not JSON/);
  });

  it('mixes a paragraph with its section: one odd paragraph in a long passage takes the passage\'s side', () => {
    const model = new PassageModel('test', 4, 0, 3, 0.3, 0, 0, new Float32Array(4), new Float32Array(4));
    const own = [-3, -3, -3, 4, -3, -3, -3];
    const smoothed = model.passageLogits(own, own.map(() => 500));
    expect(smoothed[3]).toBeLessThan(0);
    expect(smoothed[0]).toBeLessThan(-1);
  });

  it('floors a section at its document: a quiet chapter of a target book rises, a target chapter of another book never falls', () => {
    const plain = new PassageModel('test', 4, 0, 2, 0.3, 0, 0, new Float32Array(4), new Float32Array(4));
    const floored = plain.withSmoothing(2, 0.3, {}, true);
    // A book on the target (mostly 4) with a chapter that reads as something else (-3, four paragraphs).
    const book = [4, 4, 4, 4, 4, 4, 4, -3, -3, -3, -3, 4, 4, 4, 4, 4, 4, 4];
    const lengths = book.map(() => 500);
    const mean = book.reduce((a, b) => a + b, 0) / book.length;
    expect(plain.passageLogits(book, lengths)[9]).toBeLessThan(0);
    expect(floored.passageLogits(book, lengths)[9]).toBeCloseTo(0.3 * -3 + 0.7 * mean, 12);
    // A book off the target with a target chapter: the chapter keeps its section's score, bit for bit.
    const other = book.map((logit) => -logit);
    expect(Array.from(floored.passageLogits(other, lengths).slice(7, 11))).toEqual(Array.from(plain.passageLogits(other, lengths).slice(7, 11)));
    for (const [i, score] of floored.passageLogits(other, lengths).entries()) expect(score).toBeGreaterThanOrEqual(plain.passageLogits(other, lengths)[i]);
    // The floor is in the file; a file without it (older models) scores as before.
    expect(PassageModel.parse(floored.serialize()).documentFloor).toBe(true);
    const file = JSON.parse(plain.serialize());
    expect(file.documentFloor).toBeUndefined();
    expect(PassageModel.parse(plain.serialize()).documentFloor).toBe(false);
    expect(() => PassageModel.parse(JSON.stringify({ ...file, documentFloor: 'yes' }))).toThrow(/^documentFloor: must be true or false/);
  });

  it('ships each pack with the floor its training spec asks for', async () => {
    for (const [pack, floor] of [['physics-post-1900', true], ['algebra-pre-galois', true], ['computing-modern', false]] as const) {
      const spec = await readTrainingSpec(join(BUILTIN_PACK_DIR, 'training', `${pack}.yaml`));
      expect(spec.documentFloor ?? DEFAULT_TRAINING.documentFloor, pack).toBe(floor);
      const { pack: loaded } = await loadPack(pack);
      const model = loadPassageModel(loaded.passage!);
      expect(model.documentFloor, pack).toBe(floor);
      expect((model.training.settings as { documentFloor: boolean }).documentFloor, pack).toBe(floor);
    }
  });
});

describe('the pack pins its model', () => {
  it('refuses a model whose sha256 is not the one the pack names, in one line, exit 2', async () => {
    const dir = tempDir();
    copyFileSync(join(BUILTIN_PACK_DIR, 'physics-post-1900.yaml'), join(dir, 'pack.yaml'));
    mkdirSync(join(dir, 'models'));
    const model = readFileSync(join(BUILTIN_PACK_DIR, 'models', 'physics-post-1900.passage.json'), 'utf8');
    writeFileSync(join(dir, 'models', 'physics-post-1900.passage.json'), `${model} `);
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl([{ id: 'a', text: 'Einstein published the special theory of relativity in 1905.' }]));
    const run = await runCli(['mask', input, '--pack', join(dir, 'pack.yaml'), '--out', join(dir, 'out'), '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/physics-post-1900\.passage\.json: sha256 [0-9a-f]{64} is not the [0-9a-f]{64} the pack names/);
  });

  it('records the model it masked with in the manifest', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl([{ id: 'a', text: 'Einstein published the special theory of relativity in 1905.' }]));
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', join(dir, 'out'), '--quiet'])).code).toBe(0);
    const { pack } = await loadPack('physics-post-1900');
    expect(readManifest(join(dir, 'out')).pack.passageModel).toEqual({ path: pack.passage!.model, sha256: pack.passage!.sha256, threshold: pack.passage!.threshold });
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', join(dir, 'rules'), '--quiet', '--detectors', 'lexical'])).code).toBe(0);
    expect(readManifest(join(dir, 'rules')).pack.passageModel).toBeNull();
  });

  it('finds the built-in model for a built-in pack copied elsewhere to be edited', async () => {
    const dir = tempDir();
    copyFileSync(join(BUILTIN_PACK_DIR, 'physics-post-1900.yaml'), join(dir, 'pack.yaml'));
    const { pack } = await loadPack(join(dir, 'pack.yaml'));
    expect(pack.passage?.model).toBe(join(ROOT, 'maskers', 'packs', 'models', 'physics-post-1900.passage.json'));
    const chain = DetectorChain.forPack(pack, ['passage']);
    expect(chain.detectors.map((detector) => detector.name)).toEqual(['passage']);
  });

  it("thresholds at the training spec's budgets unless --budget is given, and refuses a budget that is not a fraction", async () => {
    const dir = twoSidedBooks(12);
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\nbudget: 0.02\nisolatedBudget: 0.03\n');
    const train = (...extra: string[]) => runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2', '--json', '--quiet', ...extra]);
    const fromSpec = await train();
    expect(fromSpec.code, fromSpec.stderr).toBe(0);
    expect([JSON.parse(fromSpec.stdout).budget, JSON.parse(fromSpec.stdout).isolatedBudget]).toEqual([0.02, 0.03]);
    const overridden = JSON.parse((await train('--budget', '0.01')).stdout);
    expect([overridden.budget, overridden.isolatedBudget]).toEqual([0.01, 0.01]);
    writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\nbudget: 5\n');
    const bad = await train();
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`${spec}: budget: `);
  });

  it('--paragraphs writes the held-out outcome of every measured paragraph, adding up to the book table, and never overwrites; --labels measures what a book lost outside its labelled targets', async () => {
    // A short paragraph too: it is not measured, so it has no row.
    const dir = twoSidedBooks(10, '\n\nA short line.');
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\n');
    const out = join(dir, 'paragraphs.jsonl');
    const train = () => runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2', '--json', '--quiet', '--paragraphs', out]);
    const run = await train();
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { books: { name: string; paragraphs: number; chars: number; loss: number; isolatedLoss: number; documentLoss: number }[]; paragraphs?: unknown };
    expect(result.paragraphs).toBeUndefined();
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { book: string; start: number; end: number; removed: number; removedAlone: number; removedInDocument: number; document: number; text: string });
    expect(rows).toHaveLength(result.books.reduce((sum, book) => sum + book.paragraphs, 0));
    for (const book of result.books) {
      const own = rows.filter((row) => row.book === book.name);
      const text = readFileSync(join(dir, book.name), 'utf8');
      for (const row of own) expect(row.text).toBe(text.slice(row.start, row.end));
      expect(own.every((row) => row.end - row.start >= 300)).toBe(true);
      const weighted = (key: 'removed' | 'removedAlone' | 'removedInDocument') => own.reduce((sum, row) => sum + row[key] * (row.end - row.start), 0) / book.chars;
      expect(weighted('removed')).toBeCloseTo(book.loss, 5);
      expect(weighted('removedAlone')).toBeCloseTo(book.isolatedLoss, 5);
      expect(weighted('removedInDocument')).toBeCloseTo(book.documentLoss, 5);
      // Each paragraph names the document of at most 8,000 characters it was masked in: in order, and
      // no document reaches past 8,000 characters from its start.
      for (const [at, row] of own.entries()) {
        expect(row.document).toBeLessThanOrEqual(row.start);
        expect(row.end - row.document).toBeLessThanOrEqual(8000);
        if (at > 0) expect(row.document).toBeGreaterThanOrEqual(own[at - 1].document);
      }
      if (book.chars > 16_000) expect(new Set(own.map((row) => row.document)).size).toBeGreaterThan(1);
    }
    // The post books lose text and the pre books keep it, so the rows are not all zeros.
    expect(rows.some((row) => row.removed > 0)).toBe(true);
    // Target books also have the share removed with each sentence masked alone (the recall the leakage
    // bound takes for small islands of removed text); other books have none.
    const sides = result.books as unknown as { name: string; side: string; sentenceLoss?: number; isolatedLoss: number }[];
    for (const entry of sides) {
      if (entry.side === 'positive') expect(entry.sentenceLoss, entry.name).toBeGreaterThan(0);
      else expect(entry.sentenceLoss, entry.name).toBeUndefined();
    }
    // Labels of one book's losses: one target, one not, the rest left unlabelled. What it lost outside
    // the target is the unlabelled and the not-target paragraphs' removed characters.
    const book = result.books.find((entry) => rows.some((row) => row.book === entry.name && row.removed > 0))!;
    const losing = rows.filter((row) => row.book === book.name && row.removed > 0);
    expect(losing.length).toBeGreaterThanOrEqual(3);
    const labelsFile = join(dir, 'losses.tsv');
    const labelRow = (label: number, row: (typeof rows)[number]) => [label, row.book, row.start, row.end, row.text.replace(/\s+/g, ' ').split(' ').slice(0, 4).join(' ')].join('\t');
    writeFileSync(labelsFile, ['label\tbook\tstart\tend\tbegins', labelRow(1, losing[0]), labelRow(0, losing[1])].join('\n') + '\n');
    const labelled = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2', '--json', '--quiet', '--labels', labelsFile]);
    expect(labelled.code, labelled.stderr).toBe(0);
    const [measure] = (JSON.parse(labelled.stdout) as { labelled: { books: { name: string; chars: number; targetChars: number; lostOutsideTargets: number; unlabelledLosses: number; labelledLosses: number }[] }[] }).labelled;
    const lost = (row: (typeof rows)[number]) => Math.round(row.removed * (row.end - row.start));
    expect(measure.books).toEqual([
      {
        name: book.name,
        chars: book.chars,
        targetChars: losing[0].end - losing[0].start,
        lostOutsideTargets: losing.slice(1).reduce((sum, row) => sum + lost(row), 0),
        unlabelledLosses: losing.length - 2,
        labelledLosses: 2,
      },
    ]);

    const before = readFileSync(out, 'utf8');
    const again = await train();
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe(`lacuna: '${out}' already exists; Lacuna does not overwrite a file it did not write: choose another path or remove it\n`);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('--stability reruns without each of the smallest background books and gives every number its range', async () => {
    const dir = twoSidedBooks(8);
    mkdirSync(join(dir, 'other'));
    // Three background books of other fields; the two smallest are left out, one per rerun.
    const background = (sentence: string, paragraphs: number) => `${Array.from({ length: 4 }, () => sentence).join(' ')}\n\n`.repeat(paragraphs);
    writeFileSync(join(dir, 'other', 'small.txt'), background('The recipe asks for flour, butter and two eggs, beaten until the mixture is smooth and pale.', 2));
    writeFileSync(join(dir, 'other', 'middle.txt'), background('The village market opens at dawn, and the farmers bring cheese, apples and honey from the hills.', 4));
    writeFileSync(join(dir, 'other', 'large.txt'), background('The choir sang the old hymn twice, and the organist played a long voluntary after the service ended.', 8));
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\nbackground: [ other ]\n');
    const run = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2', '--json', '--quiet', '--stability', '2']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      books: { name: string; side: string; loss: number; documentLoss: number; isolatedLoss: number }[];
      stability: { leftOut: string[]; books: { name: string; loss: { low: number; high: number }; documentLoss: { low: number; high: number }; isolatedLoss: { low: number; high: number } }[] };
    };
    expect(result.stability.leftOut).toEqual(['other/small.txt', 'other/middle.txt']);
    // Every measured book, background ones left out; each range holds the base run's value.
    expect(result.stability.books.map((book) => book.name).sort()).toEqual(result.books.filter((book) => book.side !== 'background').map((book) => book.name).sort());
    for (const book of result.stability.books) {
      const base = result.books.find((other) => other.name === book.name)!;
      for (const key of ['loss', 'documentLoss', 'isolatedLoss'] as const) {
        expect(book[key].low, `${book.name} ${key}`).toBeLessThanOrEqual(base[key]);
        expect(book[key].high, `${book.name} ${key}`).toBeGreaterThanOrEqual(base[key]);
      }
    }
    // The table says it too; and without background books there is nothing to leave out.
    const table = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2', '--quiet', '--stability', '1']);
    expect(table.stdout).toContain('Stability: the base run and 1 rerun(s), each without one small background book (other/small.txt)');
    writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\n');
    const none = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2', '--quiet', '--stability', '1']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("lacuna: --stability leaves out one background book per rerun, and the training spec has none: add a `background:` entry\n");
  });

  it('refuses a labels file it cannot read, or one output file for two, before training, in one line', async () => {
    const dir = twoSidedBooks(4);
    writeFileSync(join(dir, 'spec.yaml'), 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\n');
    const missing = join(dir, 'no-such-labels.tsv');
    const run = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', join(dir, 'spec.yaml'), '--labels', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`lacuna: cannot read labelled paragraphs '${missing}': no such file or directory\n`);
    expect(run.stdout).toBe('');
    const same = join(dir, 'out.md');
    const clash = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', join(dir, 'spec.yaml'), '--report', same, '--paragraphs', same]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toBe(`lacuna: --report and --paragraphs name the same file '${same}'\n`);
  });

  it('refuses a labels file with a wrong label, book, span or opening, naming its line, before any fold is trained', async () => {
    const dir = twoSidedBooks(4);
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\n');
    const opening = readFileSync(join(dir, 'post', 'a.txt'), 'utf8').slice(0, 20);
    const cases: [string, string][] = [
      [`kw\tpost/a.txt\t0\t50\t${opening}`, "label 'kw' is not 0 (keep) or 1 (target)"],
      [`1\tpost/c.txt\t0\t50\t${opening}`, "book 'post/c.txt' is not one of the training books"],
      [`1\tpost/a.txt\t50\t10\t${opening}`, "start '50' and end '10' are not offsets of a span of post/a.txt"],
      [`0\tpost/a.txt\t1\t50\t${opening}`, `the text at 1 of post/a.txt does not begin '${opening}'`],
    ];
    for (const [row, message] of cases) {
      const labels = join(tempDir(), 'labels.tsv');
      writeFileSync(labels, `label\tbook\tstart\tend\tbegins\n1\tpost/a.txt\t0\t50\t${opening}\n${row}\n`);
      const run = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2', '--labels', labels]);
      expect(run.code, row).toBe(2);
      expect(run.stderr, row).toBe(`lacuna: ${labels}:3: ${message}${message.startsWith('label') ? '; columns are label, book, start, end, begins' : message.startsWith('start') ? ' (0 to ' + readFileSync(join(dir, 'post', 'a.txt'), 'utf8').length + ')' : ''}\n`);
      // Refused before training: no fold was trained.
      const heard: string[] = [];
      await expect(runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 2, write: false, labels: [labels], progress: (line: string) => void heard.push(line) })).rejects.toThrow(message);
      expect(heard.filter((line) => line.startsWith('fold'))).toEqual([]);
    }
  });

  it('refuses a cross-validation that would train on nothing, in one line', async () => {
    const run = await runCli(['train', '--pack', 'physics-post-1900', '--data', tempDir(), '--folds', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('lacuna: --folds must be 0 (leave one book out) or at least 2\n');
  });

  it('rewrites only the passage block of a YAML pack, comments and layout kept', () => {
    const text = '# a comment\nid: p\nfield: [ a,\n  b ]\n# The learned passage classifier (written by lacuna train).\npassage:\n  model: old.json\n  sha256: ' + '0'.repeat(64) + '\n  threshold: 1\n\nconcepts: []\n';
    const settings = { model: 'models/p.passage.json', sha256: 'a'.repeat(64), threshold: 2.5, supportMargin: 2, keepMargin: 1, concept: 'c' };
    const written = withPassageBlock('p.yaml', text, settings);
    expect(written).toBe(text.replace(/passage:\n(?: .*\n)*/, `passage:\n  model: models/p.passage.json\n  sha256: ${'a'.repeat(64)}\n  threshold: 2.5\n  supportMargin: 2\n  keepMargin: 1\n  concept: c\n`));
    expect(withPassageBlock('p.yaml', 'id: p\n', settings)).toMatch(/^id: p\n\n# The learned passage classifier \(written by lacuna train\)\.\npassage:\n  model: models\/p\.passage\.json\n/);
  });
});

describe('a paragraph that is mostly not words', () => {
  const diagram = [
    '·---------------·   ·-------·',
    '|  (O)  |   |   |   | No m are x;  |',
    '|---|---|---|---|   ·-------·',
    '|   |(I)|   |   |   .\'. No x\' are y\'.',
    '·---------------·   ·-------·   pg137 |---|---|---|---|',
  ].join('\n');
  const table = '3 6563.04 91153.3\n4 4861.49 91152.9\n5 4340.66 91153.9\n6 4101.85 91152.2\n7 3970.25 91153.7';

  it('is told from prose, a formula and a program by its share of letters', () => {
    const share = (text: string) => letterShare(text, 0, text.length);
    expect(share('The special theory of relativity denies that absolute motion can be detected.')).toBeGreaterThan(0.8);
    expect(share('its mass changes by Δ m = Δ E / c 2 , and γ = 1/√(1 − v²/c²)')).toBeGreaterThanOrEqual(PROSE_MIN_LETTER_SHARE);
    expect(share('(define (square x) (* x x))\n(define (sum-of-squares x y) (+ (square x) (square y)))')).toBeGreaterThanOrEqual(PROSE_MIN_LETTER_SHARE);
    expect(share(diagram)).toBeLessThan(PROSE_MIN_LETTER_SHARE);
    expect(share(table)).toBeLessThan(PROSE_MIN_LETTER_SHARE);
    // A displayed formula is read by its markup and single-letter variables, not by words.
    const formula = String.raw`From (2) we obtain \begin{equation} [yp,\, x]^s = \bigl[syp,\, x\bigl\{s + k\tbinom{s}{2}yp^{m-4}\bigr\}\bigr], \end{equation} where \begin{align*} U_s &\equiv (cy + \gamma x)\tbinom{s}{2}v \pmod{p}. \end{align*}`;
    expect(share(formula)).toBeLessThan(PROSE_MIN_LETTER_SHARE);
    expect(share(String.raw`Since $R$, $Q$ and $P$ generate the group $G$, every operator of $G$ is a product of their powers, and the order of $G$ is $p^m$.`)).toBeGreaterThan(0.6);
    // The detector reads the share in the same pass as the features: the same number.
    for (const text of [diagram, table, formula, "Einstein's pho\u200btons — 1905, ½ Ω; l'électron", '']) {
      passageFeatures(text, 1 << 12);
      expect(lastLetterShare()).toBe(share(text));
    }
  });

  it('takes the passage score of the prose around it, and gives none to it', () => {
    const model = PassageModel.empty('test', 16, 1, 5, 0.3);
    const lengths = [400, 400, 400];
    const withProse = model.passageLogits([1, 10, 3], lengths, [true, false, true]);
    expect(withProse[1]).toBeCloseTo(2, 12);
    expect(withProse[0]).toBeCloseTo(0.3 * 1 + 0.7 * 2, 12);
    // Judged by its own words (all prose), the same paragraph would lift its neighbours.
    const asProse = model.passageLogits([1, 10, 3], lengths);
    expect(asProse[1]).toBeCloseTo(0.3 * 10 + 0.7 * (14 / 3), 12);
    expect(asProse[0]).toBeGreaterThan(withProse[0]);
    // With no prose around it, it keeps its own score.
    expect(model.passageLogits([10], [400], [false])[0]).toBeCloseTo(10, 12);
  });

  it("is scored by the detector with its passage's verdict", async () => {
    const { pack, model } = await physicsPassage();
    const prose = 'The barometer fell through the afternoon, and by evening the wind had veered to the north-west and freshened; the rain gauge on the roof filled twice before midnight, and the thermometer in the screen stood four degrees below the mean of the month.';
    const text = [prose, table, prose].join('\n\n');
    const { logits, own } = scoreParagraphs(model, text);
    // The two prose paragraphs are the same words with the same neighbours: the table's score is theirs.
    expect(own[2]).toBeCloseTo(own[0], 9);
    expect(Math.abs(own[1] - own[0])).toBeGreaterThan(0.1);
    expect(logits[1]).toBeCloseTo(own[0], 9);
  });
});

describe('a document shorter than the smoothing window', () => {
  it('is judged at its own threshold, and so is counted by the leakage estimate', async () => {
    const { pack, model } = await physicsPassage();
    const settings = { ...pack.passage!, threshold: 1, isolatedThreshold: 3, documentThreshold: 2 };
    const detector = new PassageDetector(settings, model);
    expect(model.smoothingSpan).toBe(31);
    expect([1, 2, 30, 31, 400].map((paragraphs) => detector.thresholdFor(paragraphs))).toEqual([3, 2, 2, 1, 1]);
    expect([1, 2, 30, 31].map((paragraphs) => documentScale(paragraphs, 31))).toEqual(['paragraph', 'short', 'short', 'long']);
    // A pack written before short documents had a threshold judges them at the book's.
    expect(new PassageDetector({ ...settings, documentThreshold: undefined }, model).thresholdFor(5)).toBe(1);
    // Three paragraphs of relativity: found at a document threshold under their scores, not above.
    const text = [
      'Two lightning strokes that are simultaneous for an observer on the embankment are not simultaneous for one in the train, since each event is judged by light that needs time to arrive, and the train runs towards the light from one of them and away from the other.',
      'Every reference-body has its own particular time: unless we are told the body of reference to which the statement of time refers, there is no meaning in a statement of the time of an event, and the time of the embankment is not the time of the train.',
      'The clock carried by the moving train therefore goes more slowly than the clocks set up along the embankment, as the Lorentz transformation requires of every moving clock, and a rod carried by the train is shorter than the same rod at rest.',
    ].join('\n\n');
    const { logits } = scoreParagraphs(model, text);
    const low = Math.min(...logits);
    const findWith = (documentThreshold: number) => new PassageDetector({ ...settings, threshold: 100, supportMargin: 0, documentThreshold }, model).detect(text).findings.length;
    expect(findWith(low - 0.5)).toBe(3);
    expect(findWith(Math.max(...logits) + 0.5)).toBe(0);
    // The collector counts documents at the same scale as the detector judges them.
    const collector = new CollateralCollector(model.smoothingSpan);
    const book = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} of a long book.`).join('\n\n');
    collector.add('a', 'One paragraph only.', [], []);
    collector.add('b', text, [], []);
    collector.add('c', book, [], []);
    expect(collector.report()).toMatchObject({ inputChars: 19 + text.length + book.length, singleParagraphChars: 19, shortDocumentChars: text.length });
  });

  it('is a group of whole paragraphs of at most the given size, in order, when a book is measured so', () => {
    const text = ['a'.repeat(300), 'b'.repeat(300), 'c'.repeat(900), 'd'.repeat(100)].join('\n\n');
    const book = { paragraphs: splitParagraphs(text) } as Book;
    const spans = documentSpans(book, 700);
    expect(spans.map((span) => text.slice(span.start, span.end).replace(/\n/g, '').replace(/(.)\1*/g, '$1'))).toEqual(['ab', 'c', 'd']);
    expect(documentSpans(book, 100_000)).toEqual([{ start: 0, end: text.length }]);
  });
});

describe('a document written one paragraph per line', () => {
  it('is judged paragraph by paragraph, as with blank lines: the same passages of real books are found', async () => {
    if (!sharedAvailable('passage findings of real books written one paragraph per line')) return;
    const { pack } = await loadPack('physics-post-1900');
    const chain = DetectorChain.forPack(pack);
    let compared = 0;
    // A popular relativity book and a radioactivity book that mixes both sides of the cutoff, as a
    // web corpus holds them: documents of about 8,000 characters, each paragraph unwrapped on one line.
    for (const relative of ['physics/post1900/einstein_relativity_pg5001.txt', 'train/physics/post/shipley_wonders_of_radium_1926_pg75392.txt']) {
      const paragraphs = readSharedText(relative).split(/\r?\n\s*\r?\n/).map((paragraph) => paragraph.trim()).filter(Boolean);
      for (let at = 40; at < paragraphs.length && at < 160; at += 12) {
        const document = paragraphs.slice(at, at + 12);
        const book = document.join('\n\n');
        // Line breaks become spaces one for one, so each paragraph keeps its length (a paragraph under
        // PASSAGE_MIN_CHARS is never a passage finding on its own).
        const web = document.map((paragraph) => paragraph.replace(/[\r\n]/g, ' ')).join('\n');
        const passages = async (text: string) =>
          (await chain.detect(text)).findings.filter((finding) => finding.detector === 'passage').map((finding) => text.slice(finding.start, finding.end).replace(/\s+/g, ' '));
        expect(await passages(web), `${relative}, paragraphs ${at}–${at + 11}`).toEqual(await passages(book));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });
});

describe('a paragraph that names a keep context', () => {
  it('goes on its own score only when that clears the threshold by the pack\'s keepMargin (alone: isolatedKeepMargin)', async () => {
    const { pack, model } = await physicsPassage();
    // The null result of 1887, written here in the manner of its time: a keep context.
    const keepParagraph =
      'The curves drawn from the noon and evening readings show that whatever shift of the fringes the relative motion of the earth and the luminiferous æther may produce, it is far smaller than the theory led us to expect, and the velocity of the earth through the æther must be a small fraction of its speed in its orbit.';
    const other =
      'The interferometer was mounted on a massive stone floating on mercury, so that it could be turned slowly and continuously about a vertical axis while the fringes were watched through the telescope, and readings were taken at sixteen equidistant marks.';
    const text = `${keepParagraph}\n\n${other}`;
    const matches = new PackVocabulary(pack).scan(text);
    expect(matches.filter((match) => match.entry.kind === 'keep' && match.start < keepParagraph.length).length).toBeGreaterThan(0);
    const { own, logits } = scoreParagraphs(model, text);
    // Thresholds set around this paragraph's own scores, so the test is about the rule, not the model.
    const threshold = Math.min(own[0], logits[0]) - 0.5;
    const detectWith = (keepMargin: number) =>
      new PassageDetector({ ...pack.passage!, threshold, isolatedThreshold: threshold, documentThreshold: threshold, supportMargin: 0, keepMargin }, model).detect(text, [], matches);
    const strict = detectWith(own[0] - threshold + 1);
    expect(strict.findings.filter((finding) => finding.start === 0)).toEqual([]);
    expect(strict.suppressed.map((finding) => finding.start)).toContain(0);
    const loose = detectWith(0);
    expect(loose.findings.map((finding) => finding.start)).toContain(0);
    // Alone, it is judged against the isolated threshold by its own margin (the keep margin when the
    // pack sets none): here its score is 1 over that threshold.
    const alone = scoreParagraphs(model, keepParagraph).logits[0];
    const aloneWith = (margins: { keepMargin: number; isolatedKeepMargin?: number }) =>
      new PassageDetector({ ...pack.passage!, threshold: alone + 5, isolatedThreshold: alone - 1, supportMargin: 0, isolatedKeepMargin: undefined, ...margins }, model);
    const keepMatches = new PackVocabulary(pack).scan(keepParagraph);
    const starts = (detector: PassageDetector, matches: typeof keepMatches) => detector.detect(keepParagraph, [], matches).findings.map((finding) => finding.start);
    expect(starts(aloneWith({ keepMargin: 0, isolatedKeepMargin: 2 }), keepMatches)).toEqual([]);
    expect(starts(aloneWith({ keepMargin: 0, isolatedKeepMargin: 0.5 }), keepMatches)).toEqual([0]);
    expect(starts(aloneWith({ keepMargin: 2 }), keepMatches)).toEqual([]);
    expect(starts(aloneWith({ keepMargin: 0.5 }), keepMatches)).toEqual([0]);
    // Without the keep context's name it goes at the isolated threshold, whatever the margins.
    expect(starts(aloneWith({ keepMargin: 2, isolatedKeepMargin: 2 }), [])).toEqual([0]);
  });
});

describe('a paragraph whose only findings are context words', () => {
  it('is taken whole by the support margin only if the document, not just its neighbours, is about the concept', async () => {
    const { pack, model } = await physicsPassage();
    const paragraph =
      'The mirrors were adjusted by screws in the castings until the fringes appeared in the telescope, and the rod carrying the compensating plate was set at the same distance from the source as the others.';
    const text = `${paragraph}\n\nThe readings were then taken at each of the sixteen marks as the stone turned slowly in the trough of mercury.`;
    const logit = scoreParagraphs(model, text).logits[0];
    // Thresholds around this paragraph's score: 4 above it, so only a support margin of more than 4 takes it.
    const settings = { ...pack.passage!, threshold: logit + 4, isolatedThreshold: logit + 4, documentThreshold: logit + 4, supportMargin: 6, localSupportMargin: 2 };
    const detector = new PassageDetector(settings, model);
    const rod = paragraph.indexOf('rod');
    const context = (density: 'document' | 'neighbours') => ({ start: rod, end: rod + 3, concept: 'special-relativity', detector: 'context', score: 0.5, evidence: { rule: 'context' as const, match: 'rod', density } });
    const taken = (findings: ReturnType<typeof context>[] | { start: number; end: number; concept: string; detector: string; score: number; evidence: { rule: 'term'; match: string } }[]) =>
      detector.detect(text, findings, []).findings.map((finding) => finding.start);
    expect(taken([context('neighbours')])).toEqual([]);
    expect(taken([context('document')])).toEqual([0]);
    expect(taken([{ start: rod, end: rod + 3, concept: 'special-relativity', detector: 'lexical', score: 1, evidence: { rule: 'term', match: 'rod' } }])).toEqual([0]);
    // Without its own setting the local margin is the support margin.
    const { localSupportMargin: _unused, ...rest } = settings;
    expect(new PassageDetector(rest, model).detect(text, [context('neighbours')], []).findings.map((finding) => finding.start)).toEqual([0]);
  });
});

describe('a paragraph alone dense with the context words of one concept', () => {
  // The thought experiment of the train and the embankment, without a term any rule knows.
  const paragraph =
    'Let the observer stand on the embankment while the train passes, and let each carry a clock and a measuring-rod of the same make. When a flash of light leaves the middle of the carriage, the observer in the train and the observer on the embankment must each say, from the readings of the clocks at the two ends, whether the light reached them at the same moment.';

  it('is supported by them within the local margin, each word counted once however many entries read it', async () => {
    const { pack, model } = await physicsPassage();
    const matches = new PackVocabulary(pack).scan(paragraph);
    // observer, embankment, train, clock and measuring-rod: "clocks" is the entry "clock", and the
    // entries "measuring rod", "rod" and "rods" read the same stretch as "measuring-rod".
    expect(new Set(matches.filter((match) => match.entry.kind === 'context').map((match) => match.entry.match.toLowerCase())).size).toBeGreaterThan(5);
    expect((await DetectorChain.forPack(pack, ['lexical', 'entity', 'context']).detect(paragraph)).findings).toEqual([]);
    const logit = scoreParagraphs(model, paragraph).logits[0];
    const detect = (settings: { isolatedContextWords?: number; isolatedThreshold: number }) =>
      new PassageDetector({ ...pack.passage!, threshold: logit + 10, documentThreshold: logit + 10, supportMargin: 6, localSupportMargin: 2, isolatedKeepMargin: 0, isolatedContextWords: undefined, isolatedContextWordStep: undefined, ...settings }, model).detect(paragraph, [], matches).findings;
    const found = detect({ isolatedContextWords: 5, isolatedThreshold: logit + 1 });
    expect(found.map((finding) => [finding.start, finding.end, finding.concept])).toEqual([[0, paragraph.length, 'special-relativity']]);
    expect(found[0].evidence.match).toContain('with 5 context words of special-relativity');
    expect(detect({ isolatedContextWords: 6, isolatedThreshold: logit + 1 })).toEqual([]);
    expect(detect({ isolatedThreshold: logit + 1 })).toEqual([]);
    // Beyond the local margin the words do not help.
    expect(detect({ isolatedContextWords: 5, isolatedThreshold: logit + 3 })).toEqual([]);
  });

  it('is supported by fewer words than isolatedContextWords at a smaller margin, a step less per word short', async () => {
    const { pack, model } = await physicsPassage();
    const matches = new PackVocabulary(pack).scan(paragraph);
    const logit = scoreParagraphs(model, paragraph).logits[0];
    const detect = (settings: { isolatedContextWords: number; isolatedContextWordStep?: number; isolatedThreshold: number }) =>
      new PassageDetector({ ...pack.passage!, threshold: logit + 10, documentThreshold: logit + 10, supportMargin: 6, localSupportMargin: 2, isolatedKeepMargin: 0, isolatedContextWordStep: undefined, ...settings }, model).detect(paragraph, [], matches).findings;
    // Five words, one short of six: with a step of 1 the margin is 2 − 1 = 1.
    const found = detect({ isolatedContextWords: 6, isolatedContextWordStep: 1, isolatedThreshold: logit + 0.9 });
    expect(found.map((finding) => [finding.start, finding.end, finding.concept])).toEqual([[0, paragraph.length, 'special-relativity']]);
    expect(found[0].evidence.match).toContain('with 5 context words of special-relativity');
    expect(detect({ isolatedContextWords: 6, isolatedContextWordStep: 1, isolatedThreshold: logit + 1.1 })).toEqual([]);
    // Without a step, one word short is no support at all; two words short with a step of 1 is none either.
    expect(detect({ isolatedContextWords: 6, isolatedThreshold: logit + 0.9 })).toEqual([]);
    expect(detect({ isolatedContextWords: 7, isolatedContextWordStep: 1, isolatedThreshold: logit + 0.1 })).toEqual([]);
    // A half step: two words short still earn 2 − 2 × 0.5 = 1.
    expect(detect({ isolatedContextWords: 7, isolatedContextWordStep: 0.5, isolatedThreshold: logit + 0.9 })).toHaveLength(1);
  });

  it('warns of the settings that refine isolatedContextWords when the pack has none', async () => {
    const { pack } = await physicsPassage();
    expect(packWarnings(pack)).toEqual([]);
    const { isolatedContextWords: _words, ...rest } = pack.passage!;
    expect(packWarnings({ ...pack, passage: { ...rest, isolatedContextWordStep: 1, shortDocumentContextWords: true } })).toEqual([
      'passage.isolatedContextWordStep has no effect without passage.isolatedContextWords',
      'passage.shortDocumentContextWords has no effect without passage.isolatedContextWords',
    ]);
  });

  it('takes the margin of each number of words from the pack settings', async () => {
    const { pack, model } = await physicsPassage();
    const margins = (settings: { isolatedContextWords?: number; isolatedContextWordStep?: number }) => {
      const detector = new PassageDetector({ ...pack.passage!, localSupportMargin: 2, isolatedContextWordStep: undefined, ...settings }, model);
      return [0, 1, 2, 3, 4].map((words) => detector.isolatedContextMargin(words));
    };
    expect(margins({ isolatedContextWords: 3, isolatedContextWordStep: 1 })).toEqual([0, 0, 1, 2, 2]);
    expect(margins({ isolatedContextWords: 3 })).toEqual([0, 0, 0, 2, 2]);
    expect(margins({ isolatedContextWords: undefined, isolatedContextWordStep: 1 })).toEqual([0, 0, 0, 0, 0]);
  });

  it('is not supported by them inside a longer document, where the context detector counts them by their neighbours', async () => {
    const { pack, model } = await physicsPassage();
    const text = `${paragraph}\n\nThe rain gauge in the garden was emptied at nine o'clock every morning, and the readings were entered in the register kept in the hall.`;
    const matches = new PackVocabulary(pack).scan(text);
    const { logits } = scoreParagraphs(model, text);
    const threshold = logits[0] + 1;
    const findings = new PassageDetector({ ...pack.passage!, threshold, isolatedThreshold: threshold, documentThreshold: threshold, supportMargin: 6, localSupportMargin: 2, isolatedContextWords: 1, shortDocumentContextWords: undefined }, model).detect(text, [], matches).findings;
    expect(findings).toEqual([]);
  });

  it('is supported by them in a short document with shortDocumentContextWords, never in a book', async () => {
    const { pack, model } = await physicsPassage();
    const weather = "The rain gauge in the garden was emptied at nine o'clock every morning, and the readings were entered in the register kept in the hall.";
    const detect = (text: string, shortDocumentContextWords: boolean | undefined) => {
      const { logits } = scoreParagraphs(model, text);
      // Each threshold 1.5 above the paragraph's own passage score: five context words (margin 2) reach it, nothing else does.
      const threshold = logits[0] + 1.5;
      return new PassageDetector({ ...pack.passage!, threshold, isolatedThreshold: threshold, documentThreshold: threshold, supportMargin: 6, localSupportMargin: 2, isolatedContextWords: 5, isolatedContextWordStep: undefined, shortDocumentContextWords }, model).detect(text, [], new PackVocabulary(pack).scan(text)).findings;
    };
    const article = `${paragraph}\n\n${weather}`;
    const found = detect(article, true);
    expect(found.map((finding) => [finding.start, finding.end, finding.concept])).toEqual([[0, paragraph.length, 'special-relativity']]);
    expect(found[0].evidence.match).toContain('with 5 context words of special-relativity');
    expect(detect(article, undefined)).toEqual([]);
    // A book: the paragraph among 40 others (more than the smoothing window of 31) is judged with its section only.
    const book = [paragraph, ...Array.from({ length: 40 }, () => weather)].join('\n\n');
    expect(detect(book, true)).toEqual([]);
  });
});

describe('training labels of paragraphs that retell a keep context', () => {
  const paragraphs = [
    'The salts of radium are luminous in the dark, and their rays discharge an electroscope placed near them; Mme. Curie separated the new element from pitchblende by fractional crystallisation.',
    'The activity of the radium emanation falls to half its value in less than four days, and radium C forms from it; each product of the series lives for a time of its own.',
    'The special theory of relativity denies that absolute motion can be detected, and the Lorentz transformation replaces the old rule for adding velocities.',
  ];
  const text = paragraphs.join('\n\n');
  const makeBook = (side: Book['side']): Book => {
    const spans = splitParagraphs(text);
    return { name: side, side, text, sha256: '', paragraphs: spans, training: { name: side, label: side === 'positive' ? 1 : 0, paragraphs: spans.map((span) => passageFeatures(text, SETTINGS.buckets, span.start, span.end)), lengths: spans.map((span) => span.end - span.start) } };
  };

  it('lowers only a positive book paragraph that names a keep and in which no rule finds the target', async () => {
    const { pack } = await loadPack('physics-post-1900');
    const positive = makeBook('positive');
    const negative = makeBook('negative');
    expect(await relabelKeepParagraphs(pack, [positive, negative])).toBe(1);
    expect(Array.from(positive.training.paragraphLabels!)).toEqual([KEEP_PARAGRAPH_LABEL, 1, 1].map(Math.fround));
    expect(negative.training.paragraphLabels).toBeUndefined();
  });

  it('trains a paragraph toward its own label rather than its book\'s', () => {
    const plain = [book('post-a', 1, POST, 40), book('pre-a', 0, PRE, 40)];
    const relabelled = plain.map((each) => ({ ...each }));
    // Every paragraph of the positive book that holds PRE's first sentence is labelled 0.
    relabelled[0] = { ...plain[0], paragraphLabels: Float32Array.from(plain[0].paragraphs, (_, p) => ([0, 1, 2].some((k) => (p * 3 + k) % POST.length === 0) ? 0 : 1)) };
    const sentence = POST[0];
    const score = (books: TrainingBook[]) => trainPassageModel('test', books, SETTINGS).logits([passageFeatures(sentence, SETTINGS.buckets)])[0];
    expect(score(relabelled)).toBeLessThan(score(plain));
  });
});
