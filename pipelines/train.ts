/**
 * `lacuna train`: learns a pack's passage classifier from dated books and
 * measures it the only way that counts, on books it never saw.
 *
 * The pack's training spec (`training/<pack>.yaml` beside it) names, below a
 * data directory, the books whose knowledge is the target (positive), those
 * from before the cutoff (negative) and books of other fields, old and modern
 * (background: modern prose that is not the target). Books are split into
 * folds (with `--folds 0`, each positive and negative book alone: assignFolds); every book is scored by a model
 * trained without it. The threshold is the lowest passage score at which the
 * negative books (the field before the cutoff) lose at most `budget` of their
 * characters to the classifier, out of fold; each book's row in the table uses a threshold chosen without
 * that book too, so no number in it has seen the book it describes.
 *
 * A book's loss is measured with the real detectors and policy: the rule
 * detectors plus the held-out passage model, sentence units, never dropping
 * the whole book, over its paragraphs of at least 300 characters.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../corpora/errors.js';
import { readUserFile } from '../corpora/user-file.js';
import { writeFileAtomic } from '../corpora/writers/run-directory.js';
import { PassageModel, sha256Hex } from '../indexes/classifier/passage-model.js';
import { DEFAULT_TRAINING, trainPassageModel, type TrainingBook, type TrainingOptions } from '../indexes/classifier/train.js';
import { DEFAULT_DETECTORS, DetectorChain } from '../maskers/detectors/chain.js';
import { DOCUMENT_CHARS, PassageDetector, scoreParagraphs } from '../maskers/detectors/passage.js';
import { firstEndingAfter } from '../maskers/detectors/lexical.js';
import { PackVocabulary } from '../maskers/detectors/vocabulary.js';
import { loadPack, type LoadedPack } from '../maskers/pack/load.js';
import { formatIssuePath, type Pack, type PassageSettings } from '../maskers/pack/schema.js';
import { splitParagraphs, type Span } from '../maskers/segment/segmenter.js';
import { documentSpans, isolatedShares, lossOf, measuredLoss, measuredParagraphs, readBookText, removedFromDocument, removedInBook, removedInDocuments, removedShare, sentenceLoss, TARGET_REMOVED_SHARE, wrongSideChars } from './book-measures.js';
import { excerpt, labelledSummaryLines, labelledWrongLines, readLabelledParagraphs, scoreLabelledParagraphs, type LabelledResult, type LabelledRow } from './paragraph-labels.js';
import { DocumentCollectionSchema, readLabelledDocuments } from './training-documents.js';

/** Thresholds are multiples of 1/THRESHOLD_GRID, so a pack file carries a short number. */
const THRESHOLD_GRID = 20;

const TrainingSpecSchema = z.strictObject({
  pack: z.string().min(1),
  positive: z.array(z.string().min(1)).min(1),
  negative: z.array(z.string().min(1)).min(1),
  background: z.array(z.string().min(1)).default([]),
  exclude: z.array(z.string().min(1)).default([]),
  /** The pack's negative budget (see chooseThreshold), when it is not DEFAULT_BUDGET; `--budget` overrides it. */
  budget: z.number().gt(0).lt(1).optional(),
  /**
   * The budget for the threshold of a paragraph alone (`isolatedThreshold`), when it is not the
   * same: what one threshold needs to spare a book need not be what the other does.
   */
  isolatedBudget: z.number().gt(0).lt(1).optional(),
  /** Labelled documents (JSON lines and a TSV of labels; see training-documents.ts), each a book of its own. */
  documents: z.array(DocumentCollectionSchema).default([]),
  /**
   * Whether the model floors a section's mean at its document's (PassageModel.documentFloor; default
   * true). A pack whose long off-target documents read near its threshold as a whole turns it off.
   */
  documentFloor: z.boolean().optional(),
});
export type TrainingSpec = z.infer<typeof TrainingSpecSchema>;

export type BookSide = 'positive' | 'negative' | 'background';

export interface Book {
  name: string;
  side: BookSide;
  text: string;
  sha256: string;
  paragraphs: Span[];
  training: TrainingBook;
  /** Set for a labelled document of the spec's `documents:`: measured whole, as a document (TrainResult.documents). */
  document?: { collection: string; key: string };
}

export interface BookResult {
  name: string;
  side: BookSide;
  fold: number;
  /** Paragraphs of at least MEASURED_MIN_CHARS and their characters. */
  paragraphs: number;
  chars: number;
  /** The threshold this book was measured at (chosen without it). */
  threshold: number;
  /** Share of its measured characters in paragraphs the classifier alone flags. */
  classifierLoss: number;
  /** Share of its measured characters removed by the default detectors (rules + classifier) and the policy. */
  loss: number;
  /**
   * The same with each measured paragraph masked as a document of its own (no neighbours, no
   * section): how a corpus of short records, or a reviewer masking paragraphs one by one, sees it.
   */
  isolatedLoss: number;
  /**
   * The same with the book cut, at paragraph breaks, into documents of at most DOCUMENT_CHARS
   * characters, each masked as a document of its own: how a corpus of articles or web pages sees
   * it (a paragraph has its neighbours, but not its book).
   */
  documentLoss: number;
  /**
   * For a positive book, the same with each sentence of its measured paragraphs masked as a
   * document of its own: the recall on target text that turns up a sentence at a time (a sentence
   * removed from a paragraph that stays tells of others like it that were not).
   */
  sentenceLoss?: number;
  /**
   * The passages behind the loss, worst first (at most PASSAGES_PER_BOOK): for a positive book the
   * measured paragraphs that kept more than half their characters (what leaks), for a negative or
   * background book those that lost anything (what a reconstruction would miss).
   */
  passages: BookPassage[];
}

/** One measured paragraph of a book and what the held-out run did to it. */
export interface BookPassage {
  start: number;
  end: number;
  /** Share of its characters removed. */
  removed: number;
  /** Its passage logit, out of fold. */
  logit: number;
  text: string;
}

/** How many passages a book's result carries: enough to read why, not the book. */
export const PASSAGES_PER_BOOK = 12;

export interface TrainResult {
  pack: string;
  folds: number;
  /** Whether each positive and negative book had a fold of its own (`--folds 0`). */
  leaveOneOut: boolean;
  /** Set when only the positive and negative books and labelled documents were measured (TrainOptions.judgedOnly). */
  judgedOnly?: true;
  /** The threshold chosen on every book's out-of-fold scores (what --write stores). */
  threshold: number;
  /** The same for a paragraph that is a whole document. */
  isolatedThreshold: number;
  /** The same for a document shorter than the smoothing window (PassageSettings.documentThreshold). */
  documentThreshold: number;
  budget: number;
  /** The budget of the threshold for a paragraph alone. */
  isolatedBudget: number;
  books: BookResult[];
  written?: { model: string; pack: string; sha256: string };
  /** One result per labels file given, in order. */
  labelled?: LabelledResult[];
  /** Every measured paragraph's held-out outcome, when asked for (TrainOptions.paragraphs). */
  paragraphs?: ParagraphOutcome[];
  /** One result per collection of the training spec's `documents:`, when it names any. */
  documents?: DocumentCollectionResult[];
}

/**
 * What the held-out run did to one measured paragraph: the rows behind a book's numbers, for
 * reading them or for scoring another filter on exactly the same paragraphs.
 */
export interface ParagraphOutcome {
  book: string;
  side: BookSide;
  start: number;
  end: number;
  /** Its passage logit in its book, out of fold. */
  logit: number;
  /** Its passage logit as a document of its own (no neighbours, no section), out of fold. */
  logitAlone: number;
  /** Share of its characters removed in its book (as BookResult.loss counts them). */
  removed: number;
  /** Share removed when it is masked as a document of its own (as BookResult.isolatedLoss counts them). */
  removedAlone: number;
  /** Share removed in its document of at most DOCUMENT_CHARS characters (as BookResult.documentLoss counts them). */
  removedInDocument: number;
  /** Where that document starts in the book: the paragraphs with the same value were masked together. */
  document: number;
  text: string;
}

export type DocumentSide = 'positive' | 'negative';

/** What the held-out run did to one labelled document of the training spec's `documents:`. */
export interface DocumentOutcome {
  collection: string;
  key: string;
  side: DocumentSide;
  /** Share of its characters removed, masked whole as a document of its own by a model that never saw it. */
  removed: number;
  chars: number;
  /** Its opening words (DOCUMENT_OPENING characters): enough to find it, not a copy of it. */
  opening: string;
}

const DOCUMENT_OPENING = 200;

/** A collection of labelled documents, each scored by a model trained without it (its fold). */
export interface DocumentCollectionResult {
  file: string;
  labels: string;
  targets: number;
  /** Targets that lost at least TARGET_REMOVED_SHARE of their text, and the mean share they lost. */
  targetsRemoved: number;
  targetsMeanRemoved: number;
  keeps: number;
  /** Keeps that lost anything, and the mean share they lost. */
  keepsTouched: number;
  keepsMeanLost: number;
  /** Targets that kept more than half and keeps that lost anything, most characters on the wrong side first. */
  wrong: DocumentOutcome[];
}

/** The counts of one collection from its documents' outcomes. */
export function summariseDocuments(file: string, labels: string, outcomes: readonly DocumentOutcome[]): DocumentCollectionResult {
  const targets = outcomes.filter((outcome) => outcome.side === 'positive');
  const keeps = outcomes.filter((outcome) => outcome.side === 'negative');
  const mean = (list: readonly DocumentOutcome[]) => (list.length === 0 ? 0 : round6(list.reduce((sum, outcome) => sum + outcome.removed, 0) / list.length));
  const cost = (outcome: DocumentOutcome) => (outcome.side === 'positive' ? 1 - outcome.removed : outcome.removed) * outcome.chars;
  const wrong = outcomes.filter((outcome) => (outcome.side === 'positive' ? outcome.removed < TARGET_REMOVED_SHARE : outcome.removed > 0));
  wrong.sort((a, b) => cost(b) - cost(a) || a.key.localeCompare(b.key));
  return {
    file,
    labels,
    targets: targets.length,
    targetsRemoved: targets.filter((outcome) => outcome.removed >= TARGET_REMOVED_SHARE).length,
    targetsMeanRemoved: mean(targets),
    keeps: keeps.length,
    keepsTouched: keeps.filter((outcome) => outcome.removed > 0).length,
    keepsMeanLost: mean(keeps),
    wrong,
  };
}

export interface TrainOptions {
  pack: string;
  data: string;
  /** The training spec; default `training/<pack file name>.yaml` beside the pack. */
  spec?: string;
  /** 0: leave one book out. */
  folds: number;
  /**
   * Largest share of the negative books' characters the classifier alone may flag, out of fold
   * (default: the training spec's `budget`, else DEFAULT_BUDGET).
   */
  budget?: number;
  write: boolean;
  /** Files of hand-labelled paragraphs to score (see scoreLabelledParagraphs), each on its own. */
  labels?: readonly string[];
  /** Threshold margin for paragraphs with another detector's finding (default: the pack's, else 2). */
  supportMargin?: number;
  /** Also return every measured paragraph's outcome (TrainResult.paragraphs). */
  paragraphs?: boolean;
  /** The document size of BookResult.documentLoss (default DOCUMENT_CHARS; documentThreshold is chosen at DOCUMENT_CHARS whatever this is). */
  documentChars?: number;
  training?: Partial<TrainingOptions>;
  /**
   * Measure only the positive and negative books and the labelled documents: a fold that holds
   * none of them is not trained (with `folds` 0, the background's shared folds), and no background
   * book is measured. Every judged row and threshold is the same as without it; the background
   * rows, which no target reads, are missing, so it cannot be combined with `write`.
   */
  judgedOnly?: boolean;
  /** Books to leave out besides the spec's `exclude` (paths below `data`), as `--stability` does. */
  exclude?: readonly string[];
  /** Called with a line of progress. */
  progress?: (line: string) => void;
}

export async function readTrainingSpec(path: string): Promise<TrainingSpec> {
  const text = (await readUserFile(path, 'training spec')).toString('utf8');
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${path}: cannot parse training spec: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = TrainingSpecSchema.safeParse(data);
  if (!result.success) throw new UsageError(`${path}: ${formatIssuePath(result.error.issues[0].path)}: ${result.error.issues[0].message}`);
  // A collection's labels are a file of the pack's, beside its spec; its documents are data.
  for (const collection of result.data.documents) collection.labels = resolve(dirname(path), collection.labels);
  return result.data;
}

const TEXT_FILE = /\.(txt|md)$/i;

async function filesUnder(root: string, entry: string): Promise<string[]> {
  const path = join(root, entry);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`training spec names '${entry}', which is not in the data directory '${root}'`);
  }
  if (info.isFile()) return [path];
  const found: string[] = [];
  for (const item of (await readdir(path, { withFileTypes: true, recursive: true })).filter((item) => item.isFile() && TEXT_FILE.test(item.name))) {
    found.push(join(item.parentPath, item.name));
  }
  return found.sort();
}

/** The spec's books, read, split into paragraphs and hashed into features, in a fixed order. */
export async function readBooks(spec: TrainingSpec, data: string, buckets: number): Promise<Book[]> {
  const excluded = new Set(spec.exclude.map((entry) => resolve(data, entry)));
  const books: Book[] = [];
  const seen = new Set<string>();
  for (const side of ['positive', 'negative', 'background'] as const) {
    for (const entry of spec[side]) {
      for (const path of await filesUnder(data, entry)) {
        const absolute = resolve(path);
        if (excluded.has(absolute) || seen.has(absolute)) continue;
        seen.add(absolute);
        const bytes = await readFile(path);
        const { text, paragraphs } = readBookText(bytes);
        const model = PassageModel.empty('', buckets, 0, 0, 1);
        books.push({
          name: relative(data, path).split(sep).join('/'),
          side,
          text,
          sha256: sha256Hex(bytes),
          paragraphs,
          training: {
            name: relative(data, path),
            label: side === 'positive' ? 1 : 0,
            paragraphs: paragraphs.map((span) => model.features(text, span.start, span.end)),
            lengths: paragraphs.map((span) => span.end - span.start),
          },
        });
      }
    }
  }
  // After every file, so the books' folds do not depend on whether the spec names documents.
  for (const collection of spec.documents) {
    for (const document of await readLabelledDocuments(collection, data)) {
      const paragraphs = splitParagraphs(document.text);
      const model = PassageModel.empty('', buckets, 0, 0, 1);
      const name = `${collection.file}#${document.key}`;
      books.push({
        name,
        side: document.side,
        text: document.text,
        sha256: sha256Hex(Buffer.from(document.text, 'utf8')),
        paragraphs,
        document: { collection: collection.file, key: document.key },
        training: {
          name,
          label: document.side === 'positive' ? 1 : 0,
          paragraphs: paragraphs.map((span) => model.features(document.text, span.start, span.end)),
          lengths: paragraphs.map((span) => span.end - span.start),
          group: `${collection.file}\u0000${document.side}`,
        },
      });
    }
  }
  return books;
}

/**
 * The training label of a paragraph of a positive book that names one of the pack's keep contexts
 * (radium, cathode rays, Lagrange's resolvent) and in which no rule detector (lexical, entity,
 * context) finds the target: such a paragraph is most often the older knowledge the book retells,
 * and labelled with its book it taught the classifier that radium is the target. Measured held out
 * on the 165 hand-labelled paragraphs of physics's mixed books: left at 1, 45 of 50 targets
 * removed and 45 of 115 keeps touched; at 0, 41 and 15; at 0.3, 43 and 17 (theory books 91.5% →
 * 90.8%, pre-1900 books unchanged at most 0.1%). Not 0: a leak costs more than a lost paragraph.
 */
export const KEEP_PARAGRAPH_LABEL = 0.3;

/** Gives KEEP_PARAGRAPH_LABEL to the paragraphs of positive books that only retell a keep context. */
export async function relabelKeepParagraphs(pack: Pack, books: readonly Book[]): Promise<number> {
  const vocabulary = new PackVocabulary(pack);
  const rules = DetectorChain.forPack(pack, ['lexical', 'entity', 'context']);
  let relabelled = 0;
  for (const book of books) {
    if (book.side !== 'positive') continue;
    const namesKeep = new Uint8Array(book.paragraphs.length);
    const found = new Uint8Array(book.paragraphs.length);
    for (const match of vocabulary.scan(book.text)) if (match.entry.kind === 'keep') markParagraphs(book.paragraphs, match, namesKeep);
    for (const finding of (await rules.detect(book.text)).findings) markParagraphs(book.paragraphs, finding, found);
    const labels = new Float32Array(book.paragraphs.length).fill(1);
    for (let index = 0; index < labels.length; index++) {
      if (namesKeep[index] && !found[index]) {
        labels[index] = KEEP_PARAGRAPH_LABEL;
        relabelled++;
      }
    }
    book.training.paragraphLabels = labels;
  }
  return relabelled;
}

/** Sets `marks` at every paragraph (sorted, disjoint) that `span` overlaps. */
function markParagraphs(paragraphs: readonly Span[], span: Span, marks: Uint8Array): void {
  for (let index = firstEndingAfter(span, paragraphs); index < paragraphs.length && paragraphs[index].start < span.end; index++) marks[index] = 1;
}

/** A book the table judges by its side (a positive or negative book, not a labelled document nor a background book). */
function judgedBook(book: Book): boolean {
  return book.side !== 'background' && book.document === undefined;
}

/**
 * With `--folds 0` (leave one book out), the background books and labelled documents share this
 * many folds: they train every model, but no target is judged on a background book's row, and a
 * model for each of them would be most of the work (82 of the algebra pack's 96 books are
 * background; physics has 141 labelled documents). Every positive and negative book is still left
 * out on its own: its row is the one a model per book gives, and so are the thresholds, which are
 * chosen on the negatives' scores, but for the labelled documents of side 0 among them (measured on
 * the algebra pack, which has none: every positive and negative row and every threshold the same as
 * with 96 folds, in 19 trainings instead of 96).
 */
export const SHARED_FOLDS_LEAVING_ONE_OUT = 5;

/**
 * Fold of each book: sides interleaved so every fold holds books of both. With `folds` 0, each
 * positive and negative book is a fold of its own (every other book trains its model) and the rest
 * share SHARED_FOLDS_LEAVING_ONE_OUT folds after them.
 */
export function assignFolds(books: readonly Book[], folds: number): number[] {
  const assigned = new Array<number>(books.length);
  const counters = { positive: 0, negative: 0, background: 0 };
  if (folds === 0) {
    const judged = books.filter(judgedBook).length;
    let own = 0;
    // Each side's counter counts up from 0, so the shared folds have no gap however few their books.
    books.forEach((book, index) => (assigned[index] = judgedBook(book) ? own++ : judged + (counters[book.side]++ % SHARED_FOLDS_LEAVING_ONE_OUT)));
    return assigned;
  }
  // Books are in spec order; within a side, a running counter spreads them over the folds.
  books.forEach((book, index) => (assigned[index] = counters[book.side]++ % folds));
  return assigned;
}

/** The negative budget when neither `--budget` nor the training spec sets one. */
export const DEFAULT_BUDGET = 0.005;

/**
 * The lowest threshold (on a grid of passage scores) at which the books given
 * lose at most `budget` of their measured characters to the classifier alone.
 */
export function chooseThreshold(books: readonly { book: Book; logits: Float64Array }[], budget: number): number {
  const scored: { logit: number; chars: number }[] = [];
  let total = 0;
  for (const { book, logits } of books) {
    for (const { span, index } of measuredParagraphs(book)) {
      scored.push({ logit: logits[index], chars: span.end - span.start });
      total += span.end - span.start;
    }
  }
  scored.sort((a, b) => b.logit - a.logit);
  // Walk down from the highest score while the flagged characters stay in budget; the
  // threshold is the grid point just above the first paragraph that would break it.
  let flagged = 0;
  for (const item of scored) {
    flagged += item.chars;
    if (flagged > budget * total) return (Math.floor(item.logit * THRESHOLD_GRID) + 1) / THRESHOLD_GRID;
  }
  return Math.floor((scored[scored.length - 1]?.logit ?? 0) * THRESHOLD_GRID) / THRESHOLD_GRID;
}

/** The detectors a held-out book is measured with (book-measures.ts): the default chain. */
const HELD_OUT_DETECTORS = [...DEFAULT_DETECTORS];

/**
 * The measured paragraphs that went wrong, worst first: kept text of a positive book (a
 * paragraph counts as kept below TARGET_REMOVED_SHARE, as labelled targets do), lost text of
 * any other. Worst is most characters on the wrong side.
 */
function worstPassages(book: Book, logits: Float64Array, removed: Uint8Array): BookPassage[] {
  const wrong: { passage: BookPassage; cost: number }[] = [];
  for (const { span, index } of measuredParagraphs(book)) {
    const share = removedShare(removed, span);
    const length = span.end - span.start;
    const cost = wrongSideChars(book.side === 'positive', share, length);
    if (cost === 0) continue;
    const passage = { ...span, removed: round6(share), logit: round6(logits[index]), text: book.text.slice(span.start, span.end).replace(/\s+/g, ' ').trim() };
    wrong.push({ passage, cost });
  }
  wrong.sort((a, b) => b.cost - a.cost || a.passage.start - b.passage.start);
  return wrong.slice(0, PASSAGES_PER_BOOK).map((item) => item.passage);
}

/**
 * Each paragraph's passage logit when the book is cut into documents of at most `limit`
 * characters (documentSpans), each scored on its own.
 */
function documentLogits(model: PassageModel, book: Book, limit: number): Float64Array {
  const logits = new Float64Array(book.paragraphs.length);
  const indexAt = new Map(book.paragraphs.map((span, index) => [span.start, index]));
  for (const document of documentSpans(book, limit)) {
    const scored = scoreParagraphs(model, book.text.slice(document.start, document.end));
    scored.spans.forEach((span, at) => {
      const index = indexAt.get(document.start + span.start);
      if (index !== undefined) logits[index] = scored.logits[at];
    });
  }
  return logits;
}

/** Each paragraph's passage logit when it is a document of its own. */
function isolatedLogits(model: PassageModel, book: Book): Float64Array {
  return Float64Array.from(book.training.paragraphs, (vector) => model.logits([vector])[0]);
}

function classifierLoss(book: Book, logits: Float64Array, threshold: number): number {
  let lost = 0;
  let total = 0;
  for (const { span, index } of measuredParagraphs(book)) {
    total += span.end - span.start;
    if (logits[index] >= threshold) lost += span.end - span.start;
  }
  return total === 0 ? 0 : lost / total;
}

/** A pack's training spec: `training/<pack file name>.yaml` beside it. */
export function specPathFor(loaded: LoadedPack): string {
  return join(dirname(loaded.source), 'training', basename(loaded.source).replace(/\.(ya?ml|json)$/i, '') + '.yaml');
}

export async function runTrain(options: TrainOptions): Promise<TrainResult> {
  // One fold would train on nothing: every book must be scored by a model trained on the others.
  if (options.folds === 1) throw new UsageError('--folds must be 0 (leave one book out) or at least 2');
  if (options.judgedOnly && options.write) throw new UsageError('--judged-only cannot be combined with --write: the model records every book\'s held-out rates, and the background books would not be measured');
  const loaded = await loadPack(options.pack);
  const specPath = options.spec ?? specPathFor(loaded);
  const spec = await readTrainingSpec(specPath);
  if (spec.pack !== loaded.pack.id) throw new UsageError(`${specPath}: pack: names '${spec.pack}', not '${loaded.pack.id}'`);
  const settings: TrainingOptions = { ...DEFAULT_TRAINING, ...(spec.documentFloor === undefined ? {} : { documentFloor: spec.documentFloor }), ...options.training };
  const budget = options.budget ?? spec.budget ?? DEFAULT_BUDGET;
  const isolatedBudget = options.budget ?? spec.isolatedBudget ?? budget;
  const say = options.progress ?? (() => {});
  const books = await readBooks({ ...spec, exclude: [...spec.exclude, ...(options.exclude ?? [])] }, options.data, settings.buckets);
  // A labels file that cannot be read, or names a book or span wrongly, stops the run now, not after minutes of training.
  const labelled: { file: string; rows: LabelledRow[] }[] = [];
  // A labelled document of the spec's `documents:` is labelled whole there, and measured whole.
  const trainingBook = (name: string, where: string) => {
    const at = books.findIndex((book) => book.name === name && !book.document);
    if (at < 0) throw new UsageError(`${where}: book '${name}' is not one of the training books`);
    return at;
  };
  for (const file of options.labels ?? []) labelled.push({ file, rows: await readLabelledParagraphs(file, books, trainingBook) });
  if (options.judgedOnly) {
    for (const { file, rows } of labelled) {
      const background = rows.find((row) => books[row.book].side === 'background');
      if (background) throw new UsageError(`${file}:${background.line}: book '${books[background.book].name}' is a background book, which --judged-only does not measure`);
    }
  }
  for (const side of ['positive', 'negative'] as const) {
    if (!books.some((book) => book.side === side)) throw new UsageError(`${specPath}: no ${side} book found under '${options.data}'; training needs books on both sides of the cutoff`);
  }
  say(`${await relabelKeepParagraphs(loaded.pack, books)} paragraphs of positive books only retell a keep context: label ${KEEP_PARAGRAPH_LABEL}`);
  const folds = assignFolds(books, Math.min(options.folds, books.length));
  const foldCount = Math.max(...folds) + 1;
  say(`${books.length} books, ${foldCount} folds`);
  const measures = (book: Book) => !options.judgedOnly || judgedBook(book) || book.document !== undefined;

  // Out-of-fold models (by fold: a fold that is not trained leaves a hole) and passage logits.
  const models: PassageModel[] = new Array(foldCount);
  const logits: Float64Array[] = new Array(books.length);
  for (let fold = 0; fold < foldCount; fold++) {
    if (!books.some((book, index) => folds[index] === fold && measures(book))) {
      say(`fold ${fold + 1}/${foldCount} holds only background books: not trained (--judged-only)`);
      continue;
    }
    const model = trainPassageModel(loaded.pack.id, books.filter((_, index) => folds[index] !== fold).map((book) => book.training), settings);
    models[fold] = model;
    books.forEach((book, index) => {
      if (folds[index] === fold) logits[index] = scoreParagraphs(model, book.text).logits;
    });
    say(`fold ${fold + 1}/${foldCount} trained`);
  }

  // The budget is spent on the field's own negatives: background books of other fields are
  // told apart easily, and pooled with them the field's pre-cutoff books could lose far more.
  const negatives = books.flatMap((book, index) => (book.side === 'negative' ? [{ book, logits: logits[index], index }] : []));
  const threshold = chooseThreshold(negatives, budget);
  // The same choice for paragraphs scored alone (no neighbours, no section), at their own budget.
  const isolatedNegatives = negatives.map((item) => ({ ...item, logits: isolatedLogits(models[folds[item.index]], item.book) }));
  const isolatedThreshold = chooseThreshold(isolatedNegatives, isolatedBudget);
  // And for documents shorter than the smoothing window, at the book budget: the negatives cut into
  // documents of DOCUMENT_CHARS, each scored as a document of its own.
  const documentNegatives = negatives.map((item) => ({ ...item, logits: documentLogits(models[folds[item.index]], item.book, DOCUMENT_CHARS) }));
  const documentThreshold = chooseThreshold(documentNegatives, budget);
  const passageSettings = { model: '', sha256: '0'.repeat(64), threshold, isolatedThreshold, documentThreshold, supportMargin: options.supportMargin ?? loaded.pack.passage?.supportMargin ?? 2, keepMargin: loaded.pack.passage?.keepMargin ?? 0, isolatedKeepMargin: loaded.pack.passage?.isolatedKeepMargin, isolatedContextWords: loaded.pack.passage?.isolatedContextWords, isolatedContextWordStep: loaded.pack.passage?.isolatedContextWordStep, shortDocumentContextWords: loaded.pack.passage?.shortDocumentContextWords, localSupportMargin: loaded.pack.passage?.localSupportMargin, concept: loaded.pack.passage?.concept ?? loaded.pack.concepts[0].id };
  const results: BookResult[] = [];
  const outcomes: ParagraphOutcome[] = [];
  const removedByBook: Uint8Array[] = new Array(books.length);
  const removedInDocumentsByBook: Uint8Array[] = new Array(books.length);
  const detectors: PassageDetector[] = new Array(books.length);
  const documentOutcomes: DocumentOutcome[] = [];
  for (let index = 0; index < books.length; index++) {
    const book = books[index];
    if (!measures(book)) continue;
    // The threshold this book is measured at is chosen without it.
    const own = chooseThreshold(negatives.filter((item) => item.index !== index), budget);
    const ownIsolated = chooseThreshold(isolatedNegatives.filter((item) => item.index !== index), isolatedBudget);
    const ownDocument = chooseThreshold(documentNegatives.filter((item) => item.index !== index), budget);
    const detector = (detectors[index] = new PassageDetector({ ...passageSettings, threshold: own, isolatedThreshold: ownIsolated, documentThreshold: ownDocument }, models[folds[index]]));
    const chain = DetectorChain.forPack(loaded.pack, HELD_OUT_DETECTORS, undefined, detector);
    if (book.document) {
      // A labelled document is measured as a corpus holds it: whole, a document of its own.
      const removed = book.text.length === 0 ? 0 : (await removedFromDocument(chain, book.text)) / book.text.length;
      documentOutcomes.push({ collection: book.document.collection, key: book.document.key, side: book.side as DocumentSide, removed: round6(removed), chars: book.text.length, opening: book.text.slice(0, DOCUMENT_OPENING).replace(/\s+/g, ' ').trim() });
      continue;
    }
    const paragraphs = measuredParagraphs(book);
    const removed = (removedByBook[index] = await removedInBook(chain, book));
    const alone = await isolatedShares(chain, book);
    const inDocuments = (removedInDocumentsByBook[index] = await removedInDocuments(chain, book, options.documentChars ?? DOCUMENT_CHARS));
    if (options.paragraphs) {
      const documents = documentSpans(book, options.documentChars ?? DOCUMENT_CHARS);
      const aloneLogits = isolatedLogits(models[folds[index]], book);
      let document = 0;
      paragraphs.forEach(({ span, index: paragraph }, at) => {
        while (documents[document].end < span.end) document++;
        const text = book.text.slice(span.start, span.end);
        outcomes.push({ book: book.name, side: book.side, start: span.start, end: span.end, logit: round6(logits[index][paragraph]), logitAlone: round6(aloneLogits[paragraph]), removed: round6(removedShare(removed, span)), removedAlone: round6(alone[at]), removedInDocument: round6(removedShare(inDocuments, span)), document: documents[document].start, text });
      });
    }
    results.push({
      name: book.name,
      side: book.side,
      fold: folds[index],
      paragraphs: paragraphs.length,
      chars: paragraphs.reduce((sum, { span }) => sum + span.end - span.start, 0),
      threshold: own,
      classifierLoss: classifierLoss(book, logits[index], own),
      loss: measuredLoss(book, removed),
      isolatedLoss: lossOf(book, alone),
      documentLoss: measuredLoss(book, inDocuments),
      ...(book.side === 'positive' ? { sentenceLoss: await sentenceLoss(chain, book) } : {}),
      passages: worstPassages(book, logits[index], removed),
    });
  }
  say('books measured');

  const result: TrainResult = { pack: loaded.pack.id, folds: foldCount, leaveOneOut: options.folds === 0, ...(options.judgedOnly ? { judgedOnly: true } : {}), threshold, isolatedThreshold, documentThreshold, budget, isolatedBudget, books: results };
  if (options.paragraphs) result.paragraphs = outcomes;
  if (spec.documents.length > 0) result.documents = spec.documents.map((collection) => summariseDocuments(collection.file, relative(process.cwd(), collection.labels), documentOutcomes.filter((outcome) => outcome.collection === collection.file)));
  if (options.labels?.length) {
    // Only the measured books have a detector (map skips the holes): labels name positive and negative books.
    const chains = detectors.map((detector) => DetectorChain.forPack(loaded.pack, HELD_OUT_DETECTORS, undefined, detector));
    result.labelled = [];
    for (const { file, rows } of labelled) result.labelled.push(await scoreLabelledParagraphs(file, rows, books, removedByBook, (book, text) => removedFromDocument(chains[book], text), removedInDocumentsByBook));
  }
  if (options.write) result.written = await writeModel(loaded, books, settings, { threshold, isolatedThreshold, documentThreshold }, { ...options, budget }, isolatedBudget, results);
  return result;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Trains on every book, writes the model beside the pack and pins it in the pack (comments kept). */
async function writeModel(loaded: LoadedPack, books: Book[], settings: TrainingOptions, thresholds: { threshold: number; isolatedThreshold: number; documentThreshold: number }, options: TrainOptions, isolatedBudget: number, heldOut: BookResult[]): Promise<{ model: string; pack: string; sha256: string }> {
  const trained = trainPassageModel(loaded.pack.id, books.map((book) => book.training), settings);
  const { buckets: _buckets, ...rest } = settings;
  const model = trained.withSmoothing(settings.window, settings.alpha, {
    settings: { ...rest, keepParagraphLabel: KEEP_PARAGRAPH_LABEL },
    folds: options.folds,
    budget: options.budget,
    isolatedBudget,
    books: books.map((book) => ({ name: book.name, side: book.side, sha256: book.sha256 })),
    // What each book lost when it was held out (scored by a model trained without it): the
    // measured strength that verification's estimate of remaining target text rests on.
    heldOut: { detectors: HELD_OUT_DETECTORS, books: heldOut.map((book) => ({ name: book.name, side: book.side, chars: book.chars, classifierLoss: round6(book.classifierLoss), loss: round6(book.loss), isolatedLoss: round6(book.isolatedLoss), documentLoss: round6(book.documentLoss), ...(book.sentenceLoss === undefined ? {} : { sentenceLoss: round6(book.sentenceLoss) }) })) },
  });
  const bytes = model.serialize();
  const sha256 = sha256Hex(bytes);
  const modelName = `models/${loaded.pack.id}.passage.json`;
  const modelPath = join(dirname(loaded.source), modelName);
  await mkdir(dirname(modelPath), { recursive: true });
  await writeFileAtomic(modelPath, bytes);
  const passage = loaded.pack.passage;
  const pinned = {
    model: modelName,
    sha256,
    ...thresholds,
    supportMargin: passage?.supportMargin ?? 2,
    ...(passage?.localSupportMargin === undefined ? {} : { localSupportMargin: passage.localSupportMargin }),
    keepMargin: passage?.keepMargin ?? 0,
    ...(passage?.isolatedKeepMargin === undefined ? {} : { isolatedKeepMargin: passage.isolatedKeepMargin }),
    ...(passage?.isolatedContextWords === undefined ? {} : { isolatedContextWords: passage.isolatedContextWords }),
    ...(passage?.isolatedContextWordStep === undefined ? {} : { isolatedContextWordStep: passage.isolatedContextWordStep }),
    ...(passage?.shortDocumentContextWords === undefined ? {} : { shortDocumentContextWords: passage.shortDocumentContextWords }),
    concept: passage?.concept ?? loaded.pack.concepts[0].id,
  };
  await writeFileAtomic(loaded.source, withPassageBlock(loaded.source, await readFile(loaded.source, 'utf8'), pinned));
  return { model: modelPath, pack: loaded.source, sha256 };
}

/**
 * The pack text with its `passage` settings replaced (or added at the end). A YAML pack is
 * edited as text, so its comments and layout stay exactly as the author wrote them.
 */
export function withPassageBlock(source: string, text: string, settings: PassageSettings): string {
  if (/\.json$/i.test(source)) return JSON.stringify({ ...(JSON.parse(text) as object), passage: settings }, null, 2) + '\n';
  const block = ['passage:', ...Object.entries(settings).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? value : String(value)}`)].join('\n') + '\n';
  const existing = /^passage:[^\n]*\n(?:[ \t]+[^\n]*\n)*/m;
  if (existing.test(text)) return text.replace(existing, block);
  return `${text.endsWith('\n') ? text : `${text}\n`}\n# The learned passage classifier (written by lacuna train).\n${block}`;
}

/** The per-book table as Markdown: what the README and the closing note quote. */
export function resultTable(result: TrainResult): string {
  const lines = [
    `Pack ${result.pack}: ${result.leaveOneOut ? `leave-one-book-out (each positive and negative book a fold of its own; background books and labelled documents in ${SHARED_FOLDS_LEAVING_ONE_OUT} folds)` : `${result.folds}-fold by book`}; each book scored by a model trained without it, at a threshold chosen without it (negative budget ${(result.budget * 100).toFixed(1)}%).${result.judgedOnly ? ' Background books not measured (--judged-only).' : ''}`,
    '',
    `| side | book | paragraphs ≥ 300 chars | classifier alone | default detectors | in documents of ${DOCUMENT_CHARS.toLocaleString('en-US')} characters | each paragraph alone |`,
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const book of result.books) {
    lines.push(`| ${book.side} | ${book.name} | ${book.paragraphs} | ${(book.classifierLoss * 100).toFixed(1)}% | ${(book.loss * 100).toFixed(1)}% | ${(book.documentLoss * 100).toFixed(1)}% | ${(book.isolatedLoss * 100).toFixed(1)}% |`);
  }
  for (const collection of result.documents ?? []) {
    lines.push('', `Labelled documents (${collection.file}), each masked whole as a document by a model trained without it: ${collection.targetsRemoved} of ${collection.targets} targets lost at least half (${(collection.targetsMeanRemoved * 100).toFixed(1)}% on average); ${collection.keepsTouched} of ${collection.keeps} others lost anything (${(collection.keepsMeanLost * 100).toFixed(1)}% on average).`);
  }
  for (const labelled of result.labelled ?? []) lines.push('', ...labelledSummaryLines(labelled));
  return lines.join('\n') + '\n';
}

/**
 * The passages behind the table, worst first per book: what a positive book kept (its leaks), what
 * a negative book lost, and the labelled paragraphs the run got wrong. This is what a pack author
 * reads to decide what the vocabulary or the training data lacks.
 */
export function passagesReport(result: TrainResult): string {
  const lines = ['## Passages', '', `Per book, at most ${PASSAGES_PER_BOOK}, most characters on the wrong side first; offsets into the book after its Project Gutenberg header and footer are stripped; the logit is the paragraph's passage score out of fold.`];
  for (const book of result.books) {
    if (book.passages.length === 0) continue;
    const what = book.side === 'positive' ? 'kept more than half' : 'lost text';
    lines.push('', `### ${book.name} (${book.side}: ${what})`, '');
    for (const passage of book.passages) {
      lines.push(`- ${passage.start}–${passage.end}, removed ${(passage.removed * 100).toFixed(0)}%, logit ${passage.logit.toFixed(2)}: ${excerpt(passage.text)}`);
    }
  }
  for (const collection of result.documents ?? []) {
    if (collection.wrong.length === 0) continue;
    lines.push('', `### Labelled documents the run got wrong (${collection.file})`, '');
    for (const outcome of collection.wrong) {
      lines.push(`- ${outcome.side === 'positive' ? 'target kept' : 'keep touched'}: ${outcome.key}, removed ${(outcome.removed * 100).toFixed(0)}% of ${outcome.chars} characters: ${excerpt(outcome.opening)}`);
    }
  }
  for (const labelled of result.labelled ?? []) {
    if (labelled.missed.length + labelled.damaged.length === 0) continue;
    lines.push('', `### Hand-labelled paragraphs the run got wrong (${labelled.file})`, '', ...labelledWrongLines(labelled));
  }
  return lines.join('\n') + '\n';
}
