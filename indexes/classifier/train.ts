/**
 * Trains a passage model (passage-model.ts) from dated books: every paragraph
 * of a book whose knowledge lies after the cutoff is a positive, every
 * paragraph of a book from before it (or of another field) a negative. The
 * labels are the book's, so they are noisy inside a book (a relativity book
 * recalls Newton); the neighbour term is what lets the model learn that a
 * paragraph of Newtonian mechanics inside a relativity chapter belongs to it.
 *
 * Logistic regression by Adagrad with L2 decay on the coordinates an example
 * touches, a fixed number of epochs in an order drawn from a seeded PRNG:
 * the same books and settings give the same weights, bit for bit.
 *
 * Each book weighs in proportion to the square root of its paragraph count
 * (a 1.4 MB book should not drown a 30 kB lecture), and the two classes weigh
 * the same in total. Some examples are shown without their neighbours, so the
 * model also scores a paragraph that comes alone (a corpus of short records).
 */
import type { SparseVector } from './features.js';
import { PassageModel, sigmoid } from './passage-model.js';

export interface TrainingBook {
  /** A stable name (its path below the data directory). */
  name: string;
  /** 1 when the book's knowledge is the target, 0 otherwise. */
  label: 0 | 1;
  /** Labels of single paragraphs where they differ from the book's (see relabelKeepParagraphs). */
  paragraphLabels?: Float32Array;
  /** Feature vectors of its paragraphs, in order. */
  paragraphs: SparseVector[];
  /** Characters of each paragraph: only those of at least `minChars` are training examples. */
  lengths: number[];
  /**
   * Books of one group weigh together as one book of all their paragraphs. A collection of short
   * documents (47 arXiv abstracts, 20 papers) read as so many books would outweigh the books: each
   * book weighs the square root of its paragraphs, so 47 one-paragraph abstracts weighed as much as
   * 47 books and, held out, cost the popular relativity books 2–4 points masked paragraph by paragraph.
   */
  group?: string;
}

export interface TrainingOptions {
  buckets: number;
  /** Neighbours on each side that form a paragraph's context. */
  reach: number;
  /** Paragraphs on each side whose mean logit is mixed into a paragraph's passage score, and its own share. */
  window: number;
  alpha: number;
  /** Whether a section's mean is floored at the whole document's (PassageModel.documentFloor). */
  documentFloor: boolean;
  epochs: number;
  learningRate: number;
  l2: number;
  /** Share of examples shown without their neighbours. */
  isolatedShare: number;
  /** Paragraphs shorter than this are context only, never examples. */
  minChars: number;
  seed: number;
}

export const DEFAULT_TRAINING: TrainingOptions = {
  buckets: 1 << 18,
  reach: 2,
  window: 15,
  alpha: 0.3,
  documentFloor: true,
  epochs: 6,
  learningRate: 0.3,
  l2: 1e-6,
  isolatedShare: 0.3,
  minChars: 100,
  seed: 1,
};

/** Mulberry32: a small seeded PRNG, so training is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Example {
  book: number;
  paragraph: number;
  /** The target of the loss: 0 or 1, or between for a paragraph of uncertain side. */
  label: number;
  weight: number;
}

function classOf(label: number): 0 | 1 {
  return label >= 0.5 ? 1 : 0;
}

function examplesOf(books: readonly TrainingBook[], minChars: number): Example[] {
  const examples: Example[] = [];
  const classTotals = [0, 0];
  const exampleCount = (book: TrainingBook) => book.lengths.reduce((count, length) => count + (length >= minChars ? 1 : 0), 0);
  const groupCounts = new Map<string, number>();
  for (const book of books) if (book.group !== undefined) groupCounts.set(book.group, (groupCounts.get(book.group) ?? 0) + exampleCount(book));
  books.forEach((book, b) => {
    const indices = book.lengths.flatMap((length, p) => (length >= minChars ? [p] : []));
    if (indices.length === 0) return;
    const weight = 1 / Math.sqrt(book.group === undefined ? indices.length : groupCounts.get(book.group)!);
    for (const p of indices) {
      const label = book.paragraphLabels?.[p] ?? book.label;
      examples.push({ book: b, paragraph: p, label, weight });
      classTotals[classOf(label)] += weight;
    }
  });
  if (classTotals[0] === 0 || classTotals[1] === 0) throw new Error('training needs paragraphs on both sides of the cutoff');
  // Both classes weigh the same in total, and an example weighs 1 on average.
  const scale = [examples.length / 2 / classTotals[0], examples.length / 2 / classTotals[1]];
  for (const example of examples) example.weight *= scale[classOf(example.label)];
  return examples;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

export function trainPassageModel(pack: string, books: readonly TrainingBook[], options: TrainingOptions = DEFAULT_TRAINING): PassageModel {
  const model = PassageModel.empty(pack, options.buckets, options.reach, options.window, options.alpha, options.documentFloor);
  // Each weight sits beside its Adagrad sum of squared gradients (weight 2i, its squares 2i + 1): an
  // update reads and writes both, and the buckets are touched at random, so one cache line serves
  // both instead of two. Float32, as the model stores them: the arithmetic is unchanged.
  const ownState = new Float32Array(2 * options.buckets);
  const contextState = new Float32Array(2 * options.buckets);
  let biasSquares = 0;
  let isolatedSquares = 0;
  const random = seededRandom(options.seed);
  const examples = examplesOf(books, options.minChars);
  // Locals, not property reads, in the loop below: it runs once per example and epoch, over a
  // million times for a pack.
  const { learningRate: rate, l2, reach, isolatedShare } = options;

  const update = (state: Float32Array, vector: SparseVector, gradient: number) => {
    const { indices, values } = vector;
    for (let k = 0; k < indices.length; k++) {
      const at = 2 * indices[k];
      const g = gradient * values[k] + l2 * state[at];
      state[at + 1] += g * g;
      state[at] -= (rate * g) / Math.sqrt(state[at + 1] + 1e-8);
    }
  };

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(examples, random);
    for (const example of examples) {
      const paragraphs = books[example.book].paragraphs;
      const vector = paragraphs[example.paragraph];
      const isolated = random() < isolatedShare;
      // The neighbours are paragraphs from..to but the example's own; none when it is shown alone.
      const from = Math.max(0, example.paragraph - reach);
      const to = Math.min(paragraphs.length - 1, example.paragraph + reach);
      const neighbourCount = isolated ? 0 : to - from;
      // Summed in this order, term by term, as the shipped models were trained: another order rounds differently.
      let logit = model.bias;
      const { indices, values } = vector;
      for (let k = 0; k < indices.length; k++) logit += ownState[2 * indices[k]] * values[k];
      if (neighbourCount === 0) logit += model.isolatedBias;
      else {
        let sum = 0;
        for (let j = from; j <= to; j++) {
          if (j === example.paragraph) continue;
          const neighbour = paragraphs[j];
          for (let k = 0; k < neighbour.indices.length; k++) sum += contextState[2 * neighbour.indices[k]] * neighbour.values[k];
        }
        logit += sum / neighbourCount;
      }
      const gradient = (sigmoid(logit) - example.label) * example.weight;
      update(ownState, vector, gradient);
      if (neighbourCount === 0) {
        isolatedSquares += gradient * gradient;
        model.isolatedBias -= (rate * gradient) / Math.sqrt(isolatedSquares + 1e-8);
      } else {
        for (let j = from; j <= to; j++) if (j !== example.paragraph) update(contextState, paragraphs[j], gradient / neighbourCount);
      }
      biasSquares += gradient * gradient;
      model.bias -= (rate * gradient) / Math.sqrt(biasSquares + 1e-8);
    }
  }
  for (let index = 0; index < options.buckets; index++) {
    model.own[index] = ownState[2 * index];
    model.context[index] = contextState[2 * index];
  }
  return model;
}
