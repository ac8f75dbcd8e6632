/**
 * Labelled documents as training material (a training spec's `documents:`): read from JSON lines by
 * a TSV of labels, each a book of its own for the folds, measured whole as a document by a model that
 * never saw it, and weighed together as one book in training.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passageFeatures } from '../indexes/classifier/features.js';
import { DEFAULT_TRAINING, trainPassageModel, type TrainingBook } from '../indexes/classifier/train.js';
import { assignFolds, resultTable, runTrain, SHARED_FOLDS_LEAVING_ONE_OUT, type Book } from '../pipelines/train.js';
import { runCli, tempDir } from './helpers.js';

const POST = ['The quantum of action fixes the energy of each oscillator.', 'Electrons jump between stationary orbits and emit a quantum.', 'The photon carries energy proportional to its frequency.', 'The nucleus holds nearly all the mass of the atom.'];
const PRE = ['The ether carries the waves of light between the stars.', 'A lens bends the rays of light toward its focus.', 'Heat flows from the warmer body to the colder one.', 'The magnet attracts iron filings along its lines of force.'];

/** Paragraphs of six rotating sentences, so that paragraphs differ. */
function paragraphs(sentences: readonly string[], count: number): string {
  return Array.from({ length: count }, (_, p) => [0, 1, 2, 3, 4, 5].map((k) => sentences[(p + k) % sentences.length]).join(' ')).join('\n\n');
}

/**
 * Two books a side, a JSON-lines file of six abstracts (two about quanta, two about the ether, one
 * unclear, one unlabelled) and a spec that names them; `labels` replaces the labels file's lines.
 */
function dataWithDocuments(labels?: string): { dir: string; spec: string } {
  const dir = tempDir();
  mkdirSync(join(dir, 'post'));
  mkdirSync(join(dir, 'pre'));
  mkdirSync(join(dir, 'papers'));
  writeFileSync(join(dir, 'post', 'a.txt'), paragraphs(POST, 12));
  writeFileSync(join(dir, 'post', 'b.txt'), paragraphs([...POST].reverse(), 12));
  writeFileSync(join(dir, 'pre', 'a.txt'), paragraphs(PRE, 12));
  writeFileSync(join(dir, 'pre', 'b.txt'), paragraphs([...PRE].reverse(), 12));
  const rows = [
    { id: 'q1', title: 'Quanta of action', abstract: paragraphs(POST, 2) },
    { id: 'q2', title: 'Stationary orbits', abstract: paragraphs([...POST].reverse(), 2) },
    { id: 'e1', title: 'The luminiferous ether', abstract: paragraphs(PRE, 2) },
    { id: 'e2', title: 'Lenses and magnets', abstract: paragraphs([...PRE].reverse(), 2) },
    { id: 'u1', title: 'Unclear', abstract: paragraphs([POST[0], PRE[0]], 2) },
    { id: 'n1', title: 'Not labelled', abstract: paragraphs(PRE, 1) },
  ];
  writeFileSync(join(dir, 'papers', 'abstracts.jsonl'), rows.map((row) => JSON.stringify(row) + '\n').join(''));
  const spec = join(dir, 'spec.yaml');
  writeFileSync(join(dir, 'labels.tsv'), `label\tid\tbegins\n${labels ?? '1\tq1\tQuanta\n1\tq2\tStationary\n0\te1\tThe luminiferous\n0\te2\tLenses\n?\tu1\tUnclear\n'}`);
  writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\ndocuments:\n  - file: papers/abstracts.jsonl\n    key: id\n    text: [title, abstract]\n    labels: labels.tsv\n');
  return { dir, spec };
}

describe('labelled documents in a training spec', () => {
  it('are each measured whole by a model that never saw them, outside the book table', async () => {
    const { dir, spec } = dataWithDocuments();
    const result = await runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 2, write: false });
    // The four books are the table; the two targets and two others are the collection, the unclear and the unlabelled left out.
    expect(result.books.map((book) => book.name).sort()).toEqual(['post/a.txt', 'post/b.txt', 'pre/a.txt', 'pre/b.txt']);
    expect(result.documents).toHaveLength(1);
    const [collection] = result.documents!;
    expect(collection.file).toBe('papers/abstracts.jsonl');
    expect([collection.targets, collection.keeps]).toEqual([2, 2]);
    // Vocabulary this plain is told apart by a model trained on the other fold alone.
    expect(collection.targetsRemoved).toBe(2);
    expect(collection.keepsTouched).toBe(0);
    expect(collection.wrong).toEqual([]);
    expect(resultTable(result)).toContain('Labelled documents (papers/abstracts.jsonl), each masked whole as a document by a model trained without it: 2 of 2 targets lost at least half');
  });

  it('refuses a labels file or a document it cannot use, naming the file and line, in one line before training', async () => {
    const cases: [string, string][] = [
      ['x\tq1\tQuanta\n', "labels.tsv:2: label 'x' is not 1 (target), 0 (not) or ? (unclear)"],
      ['1\tq1\tQuanta\n0\tq1\tQuanta\n', "labels.tsv:3: document 'q1' is labelled twice (first on line 2)"],
      ['1\tq1\tQuanta\n1\tzz\tMissing\n', "labels.tsv:3: no document with id 'zz' in"],
      ['1\n', 'labels.tsv:2: no document key in the second column'],
    ];
    for (const [labels, message] of cases) {
      const { dir, spec } = dataWithDocuments(labels);
      const run = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2']);
      expect(run.code, labels).toBe(2);
      expect(run.stderr.trim().split('\n'), labels).toHaveLength(1);
      expect(run.stderr, labels).toContain(message);
    }
    const { dir, spec } = dataWithDocuments();
    writeFileSync(join(dir, 'papers', 'abstracts.jsonl'), '{"id": "q1", "title": "Quanta", "abstract": "The quantum."}\n{"id": "e1", "title": 3}\nnot json\n');
    const noText = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2']);
    expect(noText.code).toBe(2);
    expect(noText.stderr).toBe(`lacuna: ${join(dir, 'papers', 'abstracts.jsonl')}:2: no string field 'title' (the collection's text)\n`);
    writeFileSync(join(dir, 'papers', 'abstracts.jsonl'), '{"id": "q1", "title": "Quanta", "abstract": "The quantum."}\nnot json\n');
    const notJson = await runCli(['train', '--pack', 'physics-post-1900', '--data', dir, '--spec', spec, '--folds', '2']);
    expect(notJson.stderr).toBe(`lacuna: ${join(dir, 'papers', 'abstracts.jsonl')}:2: not a JSON line\n`);
  });

  it('are labelled whole in their own labels, never paragraph by paragraph through --labels', async () => {
    const { dir, spec } = dataWithDocuments();
    const labels = join(dir, 'paragraphs.tsv');
    writeFileSync(labels, 'label\tbook\tstart\tend\tbegins\n1\tpapers/abstracts.jsonl#q1\t0\t10\tQuanta\n');
    await expect(runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 2, write: false, labels: [labels] })).rejects.toThrow(`${labels}:2: book 'papers/abstracts.jsonl#q1' is not one of the training books`);
  });

  it('weigh together as one book in training, so that many short documents do not outweigh the books', () => {
    const settings = { ...DEFAULT_TRAINING, buckets: 1 << 12, epochs: 4 };
    const asBook = (name: string, label: 0 | 1, text: string, group?: string): TrainingBook => {
      const spans = text.split('\n\n').reduce<{ start: number; end: number }[]>((list, paragraph) => {
        const start = list.length === 0 ? 0 : list[list.length - 1].end + 2;
        return [...list, { start, end: start + paragraph.length }];
      }, []);
      return { name, label, paragraphs: spans.map((span) => passageFeatures(text, settings.buckets, span.start, span.end)), lengths: spans.map((span) => span.end - span.start), ...(group ? { group } : {}) };
    };
    // Thirty one-paragraph target documents that all say "zorblax" beside the books' own words.
    const documents = (group?: string) => Array.from({ length: 30 }, (_, k) => asBook(`doc${k}`, 1, `The zorblax ${k} rises. ${paragraphs(POST, 1)}`, group));
    const books = [asBook('post', 1, paragraphs(POST, 20)), asBook('pre', 0, paragraphs(PRE, 20)), asBook('pre2', 0, paragraphs([...PRE].reverse(), 20))];
    const probe = 'The zorblax crossed the room. The zorblax stopped.';
    const score = (model: ReturnType<typeof trainPassageModel>) => model.logits([passageFeatures(probe, settings.buckets)])[0];
    const apart = score(trainPassageModel('p', [...books, ...documents()], settings));
    const together = score(trainPassageModel('p', [...books, ...documents('abstracts')], settings));
    expect(together).toBeLessThan(apart);
  });
});

describe('leaving one book out (--folds 0)', () => {
  /** A book with only what the folds read: its side and whether it is a labelled document. */
  const book = (side: Book['side'], document = false) => ({ side, ...(document ? { document: { collection: 'c', key: 'k' } } : {}) }) as Book;

  it('gives each positive and negative book a fold of its own, and background books and labelled documents shared folds after them', () => {
    const books = [book('positive'), book('negative'), book('background'), book('positive'), book('positive', true), ...Array.from({ length: 7 }, () => book('background')), book('negative', true), book('negative')];
    const folds = assignFolds(books, 0);
    const judged = [0, 1, 3, 13];
    expect(judged.map((index) => folds[index])).toEqual([0, 1, 2, 3]);
    const shared = folds.filter((_, index) => !judged.includes(index));
    expect(Math.min(...shared)).toBe(4);
    expect(new Set(shared).size).toBe(SHARED_FOLDS_LEAVING_ONE_OUT);
    // Numbered without gaps, so every fold trains a model on a training set that differs from the others'.
    expect([...new Set(folds)].sort((a, b) => a - b)).toEqual(Array.from({ length: 4 + SHARED_FOLDS_LEAVING_ONE_OUT }, (_, fold) => fold));
    expect(assignFolds([book('positive'), book('negative'), book('background')], 0)).toEqual([0, 1, 2]);
  });

  it('scores each book by a model trained on every other book but those sharing its fold, and says so in the table', async () => {
    const { dir, spec } = dataWithDocuments();
    const result = await runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 0, write: false });
    // Four books alone, the four labelled documents (two of each side) in two shared folds.
    expect(result.leaveOneOut).toBe(true);
    expect(result.folds).toBe(6);
    expect(new Set(result.books.map((each) => each.fold)).size).toBe(4);
    expect(result.documents![0].targetsRemoved).toBe(2);
    expect(resultTable(result)).toContain('leave-one-book-out (each positive and negative book a fold of its own');
    const fiveFold = await runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 2, write: false });
    expect(fiveFold.leaveOneOut).toBe(false);
    expect(resultTable(fiveFold)).toContain('2-fold by book');
  });

  it('with --judged-only trains no fold of background books alone, and gives the same judged rows, documents and thresholds', async () => {
    const { dir } = dataWithDocuments();
    const OTHER = ['The river carries silt down to the delta each spring.', 'Wheat is sown in autumn and harvested in summer.', 'The treaty was signed by both kingdoms at the border.', 'A sonnet has fourteen lines of rhymed verse.'];
    mkdirSync(join(dir, 'bg'));
    for (let at = 0; at < 6; at++) writeFileSync(join(dir, 'bg', `${at}.txt`), paragraphs(at % 2 ? OTHER : [...OTHER].reverse(), 8 + at));
    const spec = join(dir, 'with-background.yaml');
    writeFileSync(spec, 'pack: physics-post-1900\npositive: [ post ]\nnegative: [ pre ]\nbackground: [ bg ]\ndocuments:\n  - file: papers/abstracts.jsonl\n    key: id\n    text: [title, abstract]\n    labels: labels.tsv\n');
    const progress: string[] = [];
    const full = await runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 0, write: false });
    const judged = await runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 0, write: false, judgedOnly: true, progress: (line) => progress.push(line) });
    expect(full.books.filter((book) => book.side === 'background')).toHaveLength(6);
    expect(judged.books).toEqual(full.books.filter((book) => book.side !== 'background'));
    expect(judged.documents).toEqual(full.documents);
    expect([judged.threshold, judged.isolatedThreshold, judged.documentThreshold]).toEqual([full.threshold, full.isolatedThreshold, full.documentThreshold]);
    // Four books alone, then five shared folds: the four labelled documents fill two of them, background books alone the other three.
    expect(judged.folds).toBe(4 + SHARED_FOLDS_LEAVING_ONE_OUT);
    expect(progress.filter((line) => /holds only background books: not trained/.test(line))).toHaveLength(3);
    expect(progress.filter((line) => / trained$/.test(line))).toHaveLength(6);
    expect(resultTable(judged)).toContain('Background books not measured (--judged-only).');
    await expect(runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 0, write: true, judgedOnly: true })).rejects.toThrow('--judged-only cannot be combined with --write');
    // A label on a background book names a row this run does not measure: refused before training.
    const labels = join(dir, 'background-labels.tsv');
    writeFileSync(labels, `label\tbook\tstart\tend\tbegins\n0\tbg/1.txt\t0\t20\tThe river\n`);
    await expect(runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 0, write: false, judgedOnly: true, labels: [labels] })).rejects.toThrow(`${labels}:2: book 'bg/1.txt' is a background book, which --judged-only does not measure`);
    expect((await runTrain({ pack: 'physics-post-1900', data: dir, spec, folds: 0, write: false, labels: [labels] })).labelled![0].keeps).toBe(1);
  });
});
