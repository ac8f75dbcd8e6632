/**
 * A pack's learned passage classifier: logistic regression on hashed word and
 * word-pair features of a paragraph and of its neighbours. The score of
 * paragraph i is
 *
 *   sigmoid(bias + own · f(i) + mean over neighbours j of context · f(j))
 *
 * with up to `reach` paragraphs either side as neighbours (a paragraph alone,
 * as in a corpus of short documents, gets `isolatedBias` in place of the
 * context term). The passage score then mixes that logit with the mean logit
 * of the paragraphs within `window` either side (each weighted by the square
 * root of its length; paragraphs under 100 characters, headings and
 * equations, take no part): `alpha` of its own and the rest of its section.
 * A book about relativity is relativity even where one paragraph recalls
 * Newton, and one odd paragraph in a book on optics stays optics. With
 * `documentFloor`, a section's mean is never lower than the whole document's:
 * a chapter on Lagrangian mechanics inside a book on relativity is judged as
 * the book is, while a chapter on relativity inside a book on optics keeps its
 * own section (the floor only ever raises a score, so it cannot hide a run of
 * target paragraphs in a long document about something else). Measured held
 * out (physics): theory books 93.8% → 94.9% removed in their books, Crowell's
 * labelled post-1900 asides 199 → 206 of 212, no pre-1900 book losing more. The
 * document's mean mixed into every section instead (raising and lowering) took
 * the theory books to 95–97%, but a run of 30 paragraphs of relativity set in
 * the middle of a long pre-1900 book lost 71.7% of its text against 87.5%: a
 * textbook whose last chapters are modern physics is such a document.
 * Because the model is linear, each paragraph is hashed once
 * and its two dot products are shared by itself and its neighbours: a worked
 * example inside a relativity section is scored with the section around it at
 * the cost of scoring it alone.
 *
 * The file is JSON (weights as base64 little-endian float32) and the pack
 * names it with its sha256, so a manifest pins exactly which model masked a
 * corpus.
 */
import { createHash } from 'node:crypto';
import { dot, lastLetterShare, passageDots, passageFeatures, type SparseVector } from './features.js';

export const PASSAGE_MODEL_FORMAT = 'lacuna-passage-model';
export const PASSAGE_MODEL_VERSION = 1;
/** Paragraphs shorter than this (headings, equations, captions) do not weigh in a section's mean. */
export const SMOOTHING_MIN_CHARS = 100;

export interface PassageModelFile {
  format: typeof PASSAGE_MODEL_FORMAT;
  version: typeof PASSAGE_MODEL_VERSION;
  /** The pack it was trained for. */
  pack: string;
  buckets: number;
  reach: number;
  window: number;
  alpha: number;
  /** Whether a section's mean is floored at the document's mean (absent in older files: false). */
  documentFloor?: boolean;
  bias: number;
  isolatedBias: number;
  own: string;
  context: string;
  /** How it was trained: the books on each side (with their sha256) and the settings. */
  training: Record<string, unknown>;
}

export interface ScoredParagraph {
  start: number;
  end: number;
  /** Probability that the paragraph states target knowledge. */
  score: number;
}

function encodeWeights(weights: Float32Array): string {
  return Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString('base64');
}

function decodeWeights(base64: string, buckets: number, field: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== buckets * 4) throw new Error(`${field}: expected ${buckets} float32 weights, found ${bytes.length} bytes`);
  const weights = new Float32Array(buckets);
  for (let i = 0; i < buckets; i++) weights[i] = bytes.readFloatLE(i * 4);
  return weights;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export class PassageModel {
  constructor(
    readonly pack: string,
    readonly buckets: number,
    readonly reach: number,
    readonly window: number,
    readonly alpha: number,
    public bias: number,
    public isolatedBias: number,
    readonly own: Float32Array,
    readonly context: Float32Array,
    readonly training: Record<string, unknown> = {},
    readonly documentFloor = false,
  ) {
    if (buckets <= 0 || (buckets & (buckets - 1)) !== 0) throw new Error(`buckets must be a power of two, not ${buckets}`);
  }

  static empty(pack: string, buckets: number, reach: number, window: number, alpha: number, documentFloor = false): PassageModel {
    return new PassageModel(pack, buckets, reach, window, alpha, 0, 0, new Float32Array(buckets), new Float32Array(buckets), {}, documentFloor);
  }

  /** Paragraphs a passage score is averaged over when the document has them all: the paragraph and `window` either side. */
  get smoothingSpan(): number {
    return 2 * this.window + 1;
  }

  /** With another window, mix or floor (the weights are shared, not copied). */
  withSmoothing(window: number, alpha: number, training = this.training, documentFloor = this.documentFloor): PassageModel {
    return new PassageModel(this.pack, this.buckets, this.reach, window, alpha, this.bias, this.isolatedBias, this.own, this.context, training, documentFloor);
  }

  features(text: string, start = 0, end = text.length): SparseVector {
    return passageFeatures(text, this.buckets, start, end);
  }

  /** Logits of consecutive paragraphs (their feature vectors), each with its neighbours as context. */
  logits(paragraphs: readonly SparseVector[]): Float64Array {
    const own = Float64Array.from(paragraphs, (vector) => dot(this.own, vector));
    const context = Float64Array.from(paragraphs, (vector) => dot(this.context, vector));
    return this.logitsFromDots(own, context);
  }

  /**
   * `logits` of the paragraphs `text[spans[i].start, spans[i].end)`, the same bits, without
   * building their vectors. With `letterShares`, each paragraph's letter share is written there,
   * read in the same pass.
   */
  logitsOfSpans(text: string, spans: readonly { start: number; end: number }[], letterShares?: Float64Array): Float64Array {
    const own = new Float64Array(spans.length);
    const context = new Float64Array(spans.length);
    for (let i = 0; i < spans.length; i++) {
      const dots = passageDots(text, this.buckets, spans[i].start, spans[i].end, this.own, this.context);
      own[i] = dots[0];
      context[i] = dots[1];
      if (letterShares) letterShares[i] = lastLetterShare();
    }
    return this.logitsFromDots(own, context);
  }

  /** Each paragraph's logit from its own and its neighbours' dot products. */
  private logitsFromDots(own: Float64Array, context: Float64Array): Float64Array {
    const logits = new Float64Array(own.length);
    for (let i = 0; i < own.length; i++) logits[i] = this.bias + own[i] + this.contextTerm(context, i);
    return logits;
  }

  /**
   * Passage scores (logits) of consecutive paragraphs of one document, given
   * their own logits (`logits`) and their lengths in characters. A paragraph
   * whose `prose` entry is false (mostly not words: see PROSE_MIN_LETTER_SHARE)
   * takes no part in its neighbours' scores and takes theirs: its score is the
   * mean of the prose around it, or its own when there is none. With
   * `documentFloor`, that mean is at least the document's.
   */
  passageLogits(logits: ArrayLike<number>, lengths: ArrayLike<number>, prose?: ArrayLike<boolean>): Float64Array {
    const out = new Float64Array(logits.length);
    const weights = Array.from(lengths, (length, i) => (length >= SMOOTHING_MIN_CHARS && (prose?.[i] ?? true) ? Math.sqrt(length) : 0));
    // Prefix sums make every window O(1).
    const weightSums = new Float64Array(logits.length + 1);
    const valueSums = new Float64Array(logits.length + 1);
    for (let i = 0; i < logits.length; i++) {
      weightSums[i + 1] = weightSums[i] + weights[i];
      valueSums[i + 1] = valueSums[i] + weights[i] * logits[i];
    }
    const documentWeight = weightSums[logits.length];
    const floor = this.documentFloor && documentWeight > 0 ? valueSums[logits.length] / documentWeight : -Infinity;
    for (let i = 0; i < logits.length; i++) {
      const from = Math.max(0, i - this.window);
      const to = Math.min(logits.length, i + this.window + 1);
      const weight = weightSums[to] - weightSums[from];
      const mean = Math.max(floor, weight > 0 ? (valueSums[to] - valueSums[from]) / weight : logits[i]);
      out[i] = (prose?.[i] ?? true) || weight === 0 ? this.alpha * logits[i] + (1 - this.alpha) * mean : mean;
    }
    return out;
  }

  /** The mean context score of paragraph i's neighbours, or the isolated bias when it has none. */
  contextTerm(context: ArrayLike<number>, i: number): number {
    const from = Math.max(0, i - this.reach);
    const to = Math.min(context.length - 1, i + this.reach);
    if (to - from === 0) return this.isolatedBias;
    let sum = 0;
    for (let j = from; j <= to; j++) if (j !== i) sum += context[j];
    return sum / (to - from);
  }

  toFile(): PassageModelFile {
    return {
      format: PASSAGE_MODEL_FORMAT,
      version: PASSAGE_MODEL_VERSION,
      pack: this.pack,
      buckets: this.buckets,
      reach: this.reach,
      window: this.window,
      alpha: this.alpha,
      ...(this.documentFloor ? { documentFloor: true } : {}),
      bias: this.bias,
      isolatedBias: this.isolatedBias,
      own: encodeWeights(this.own),
      context: encodeWeights(this.context),
      training: this.training,
    };
  }

  serialize(): string {
    return JSON.stringify(this.toFile()) + '\n';
  }

  /** Parses a model file's text; errors name the field that is wrong. */
  static parse(json: string): PassageModel {
    let file: PassageModelFile;
    try {
      file = JSON.parse(json) as PassageModelFile;
    } catch (error) {
      throw new Error(`not JSON (${(error as Error).message})`);
    }
    if (file?.format !== PASSAGE_MODEL_FORMAT) throw new Error(`format: expected "${PASSAGE_MODEL_FORMAT}"`);
    if (file.version !== PASSAGE_MODEL_VERSION) throw new Error(`version: expected ${PASSAGE_MODEL_VERSION}, found ${String(file.version)}`);
    if (!Number.isInteger(file.buckets) || file.buckets <= 0 || (file.buckets & (file.buckets - 1)) !== 0) throw new Error('buckets: must be a power of two');
    for (const field of ['reach', 'window'] as const) if (!Number.isInteger(file[field]) || file[field] < 0) throw new Error(`${field}: must be a whole number ≥ 0`);
    if (!(file.alpha >= 0 && file.alpha <= 1)) throw new Error('alpha: must be a number from 0 to 1');
    for (const field of ['bias', 'isolatedBias'] as const) if (!Number.isFinite(file[field])) throw new Error(`${field}: must be a number`);
    if (file.documentFloor !== undefined && typeof file.documentFloor !== 'boolean') throw new Error('documentFloor: must be true or false');
    return new PassageModel(
      String(file.pack),
      file.buckets,
      file.reach,
      file.window,
      file.alpha,
      file.bias,
      file.isolatedBias,
      decodeWeights(String(file.own), file.buckets, 'own'),
      decodeWeights(String(file.context), file.buckets, 'context'),
      file.training ?? {},
      file.documentFloor ?? false,
    );
  }
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
