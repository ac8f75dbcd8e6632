/**
 * `lacuna calibrate`: sets the semantic detector's thresholds from labelled
 * sentences (a TSV of label, kind, text; label 1 = target knowledge, 0 = must
 * stay) and, optionally, background text known to be free of the target
 * (pre-cutoff books: every sentence a negative), and with --write stores them
 * in the pack file (its comments kept).
 *
 * Labelled negatives are few and tidy; real pre-cutoff prose is where false
 * positives come from, so the background sets the budget that matters. The
 * background's mean embedding also becomes the pack's centre (see
 * indexes/centre.ts), and every similarity below is taken in that space.
 *
 * Thresholds, for each keep margin on a grid: first lowered greedily, one
 * positive at a time, taking at each step the concept whose next positive
 * costs the fewest false positives, while the false-positive rates stay
 * within budget (labelled negatives and background separately) and no
 * concept spends more than twice its even share of the background; each then
 * moves halfway to the highest negative below it (the widest margin on both
 * sides), and a concept no positive speaks for goes just above its highest
 * negative. The margin that finds the most positives wins (ties: the larger,
 * more cautious one).
 * Sentences the other detectors already find are left out: the semantic
 * detector is for what they miss. The screen threshold is set below the
 * screen similarity of every positive placed in a window with two negatives,
 * the worst case the detector meets in running text.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { UsageError } from '../corpora/errors.js';
import { readUserFile } from '../corpora/user-file.js';
import { writeFileAtomic } from '../corpora/writers/run-directory.js';
import { encodeCentre, meanVector, type Centre } from '../indexes/centre.js';
import { dot } from '../indexes/embedders/embedder.js';
import { loadSemanticModels } from '../indexes/semantic-models.js';
import { DetectorChain } from '../maskers/detectors/chain.js';
import { passesKeepMargin, SemanticDetector, semanticRuleFlags } from '../maskers/detectors/semantic.js';
import { loadPack } from '../maskers/pack/load.js';
import { segment } from '../maskers/segment/segmenter.js';
import { InputReader } from '../corpora/input-reader.js';
import { resolveInputs } from '../corpora/sources.js';

export interface CalibrateOptions {
  pack: string;
  /** Labelled TSV files, read as one set. */
  labelled: string[];
  /** Pre-cutoff text whose sentences are all negatives (files or directories, as for mask). */
  background: string[];
  /** Background sentences sampled (evenly) for calibration. */
  backgroundSentences: number;
  /** Largest share of background sentences that may be flagged. */
  backgroundBudget: number;
  /** Largest share of labelled negatives that may be flagged. */
  labelledBudget: number;
  cacheDir: string;
  model: string;
  /** Centre the embeddings on the background's mean (indexes/centre.ts); needs background text. */
  centre: boolean;
  /** Rewrite the pack file's thresholds. */
  write: boolean;
}

export interface LabelledSentence {
  label: 0 | 1;
  kind: string;
  text: string;
  /** Its line in the file, from 1. */
  line: number;
}

export interface CalibrationResult {
  /** The centre the thresholds were calibrated with: new from the background, the pack's own, or none. */
  centre?: Centre;
  keepMargin: number;
  screen: number;
  sentenceScreen: number;
  /** Share flagged by all detectors together, per kind of the labelled file (and "background"). */
  rates: Record<string, { flagged: number; total: number }>;
  /** Per concept: its threshold, the labelled positives nearest to it that the other detectors miss, how many it takes, and what set it. */
  concepts: Record<string, ConceptCalibration>;
  /** Share of background sentences the sentence screen lets through to the encoder. */
  backgroundScreenedIn: number;
  written?: string;
}

export interface ConceptCalibration {
  threshold: number;
  positives: number;
  found: number;
  /** Similarity of the weakest positive the greedy search took (null: none). */
  lowestTaken: number | null;
  /** Highest negative (labelled or background) below it: the threshold sits between the two. */
  highestNegative: number | null;
  /** That negative sentence: what a pack author looks at to see why a threshold is high. */
  highestNegativeText: string | null;
  /** Background sentences flagged for this concept. */
  backgroundFlagged: number;
}

/**
 * No concept may spend more than this many even shares of the background
 * budget. Without a cap the greedy search ends by buying a concept's last few
 * positives at dozens of false positives each (physics: condensed matter 32
 * and field theory 27 of 6,000 background sentences for 3 positives each);
 * with twice the even share, background flags fell from 1.9% to 1.1% while
 * held-out paraphrases found went from 16 to 15 of 20.
 */
const MAX_SHARE = 2;

const MARGINS = Array.from({ length: 21 }, (_, i) => i * 0.005);
/** A concept that takes no positive keeps a threshold nothing reaches. */
const UNREACHABLE = 1;
const SCREEN_SLACK = 0.03;
/** How far above its highest negative a concept without labelled positives is set. */
const UNSEEN_MARGIN = 0.01;

interface Scored {
  concept: string;
  similarity: number;
  keepSimilarity: number;
}

/** Concept thresholds that find the most positives within the false-positive budgets, for one margin. */
function greedyThresholds(concepts: string[], positives: Scored[], labelledNegatives: Scored[], background: Scored[], margin: number, labelledBudget: number, backgroundBudget: number): Map<string, number> {
  const eligible = (items: Scored[]) => items.filter((item) => passesKeepMargin(item.similarity, item.keepSimilarity, margin));
  const positive = eligible(positives);
  const negatives = { labelled: eligible(labelledNegatives), background: eligible(background) };
  const thresholds = new Map(concepts.map((concept) => [concept, UNREACHABLE]));
  const falsePositives = (kind: 'labelled' | 'background', concept: string, threshold: number) => negatives[kind].filter((item) => item.concept === concept && item.similarity >= threshold).length;
  const budget = { labelled: Math.floor(labelledBudget * labelledNegatives.length), background: Math.floor(backgroundBudget * background.length) };
  const spent = { labelled: 0, background: 0 };
  const spentBy = new Map<string, number>();
  for (;;) {
    let best: { concept: string; threshold: number; cost: { labelled: number; background: number } } | undefined;
    for (const concept of concepts) {
      const current = thresholds.get(concept)!;
      // The next positive of this concept below its current threshold.
      const next = positive.filter((item) => item.concept === concept && item.similarity < current).sort((a, b) => b.similarity - a.similarity)[0];
      if (!next) continue;
      const cost = {
        labelled: falsePositives('labelled', concept, next.similarity) - falsePositives('labelled', concept, current),
        background: falsePositives('background', concept, next.similarity) - falsePositives('background', concept, current),
      };
      if (spent.labelled + cost.labelled > budget.labelled || spent.background + cost.background > budget.background) continue;
      if ((spentBy.get(concept) ?? 0) + cost.background > (MAX_SHARE * budget.background) / concepts.length) continue;
      const weight = cost.labelled / Math.max(1, budget.labelled) + cost.background / Math.max(1, budget.background);
      const bestWeight = best ? best.cost.labelled / Math.max(1, budget.labelled) + best.cost.background / Math.max(1, budget.background) : Infinity;
      if (weight < bestWeight) best = { concept, threshold: next.similarity, cost };
    }
    if (!best) return thresholds;
    thresholds.set(best.concept, best.threshold);
    spentBy.set(best.concept, (spentBy.get(best.concept) ?? 0) + best.cost.background);
    spent.labelled += best.cost.labelled;
    spent.background += best.cost.background;
  }
}

/** A negative sentence (labelled or background) with its scores. */
interface Negative extends Scored {
  text: string;
}

/** The highest negative of a concept that the keep margin lets through, below a threshold. */
function highestNegativeBelow(concept: string, threshold: number, negatives: readonly Negative[], margin: number): Negative | undefined {
  let best: Negative | undefined;
  for (const item of negatives) {
    if (item.concept === concept && passesKeepMargin(item.similarity, item.keepSimilarity, margin) && item.similarity < threshold && (!best || item.similarity > best.similarity)) best = item;
  }
  return best;
}

/** Sentences of the background inputs, sampled evenly (sentences of fewer than six words are skipped). */
async function backgroundSentences(inputs: string[], wanted: number): Promise<string[]> {
  if (inputs.length === 0) return [];
  const { files } = await resolveInputs(inputs);
  const reader = new InputReader(files, { textField: 'text', idField: 'id', encoding: 'auto', stripGutenberg: true });
  const all: string[] = [];
  for await (const event of reader.events()) {
    if (event.kind !== 'doc') continue;
    const text = event.doc.text;
    for (const sentence of segment(text).sentences) {
      const value = text.slice(sentence.start, sentence.end).replace(/\s+/g, ' ');
      if (value.split(' ').length >= 6) all.push(value);
    }
  }
  const step = Math.max(1, all.length / wanted);
  const sample: string[] = [];
  for (let at = 0; at < all.length && sample.length < wanted; at += step) sample.push(all[Math.floor(at)]);
  return sample;
}

export async function readLabelled(path: string): Promise<LabelledSentence[]> {
  const text = (await readUserFile(path, 'labelled data')).toString('utf8');
  const rows: LabelledSentence[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim() || (index === 0 && line.startsWith('label'))) return;
    const [label, kind, sentence] = line.split('\t');
    if ((label !== '0' && label !== '1') || !sentence) throw new UsageError(`${path} line ${index + 1}: expected "label<TAB>kind<TAB>text" with label 0 or 1`);
    rows.push({ label: Number(label) as 0 | 1, kind, text: sentence, line: index + 1 });
  });
  return rows;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
/** Thresholds are rounded down, so a positive at the threshold stays found. */
const floor3 = (value: number) => Math.floor(value * 1000) / 1000;

export async function runCalibrate(options: CalibrateOptions): Promise<CalibrationResult> {
  const loaded = await loadPack(options.pack, options.cacheDir);
  const rows = (await Promise.all(options.labelled.map(readLabelled))).flat();
  const models = await loadSemanticModels(options.cacheDir, options.model);
  const background = await backgroundSentences(options.background, options.backgroundSentences);
  // The centre comes from the background; without background the pack's own centre (if any) stays.
  let centre = options.centre ? loaded.pack.semantic.centre : undefined;
  if (options.centre && background.length > 0) {
    centre = { model: models.encoder.modelId, vector: encodeCentre(meanVector(await models.encoder.embed(background), models.encoder.dimensions)) };
  }
  const pack = { ...loaded.pack, semantic: { ...loaded.pack.semantic, centre } };
  const semantic = await SemanticDetector.create(pack, models);
  const others = DetectorChain.forPack(loaded.pack);
  const lexical = await Promise.all(rows.map(async (row) => (await others.detect(row.text)).findings.length > 0));
  const similarities = await semantic.similarities(rows.map((row) => row.text));
  const candidates = rows.map((row, index) => ({ row, lexical: lexical[index], ...similarities[index] })).filter((item) => !item.lexical);
  const backgroundScores = await semantic.similarities(background);
  const concepts = loaded.pack.concepts.map((concept) => concept.id);
  const positives = candidates.filter((item) => item.row.label === 1);
  const labelledNegatives = candidates.filter((item) => item.row.label === 0);
  let best: { margin: number; thresholds: Map<string, number>; found: number } | undefined;
  for (const margin of MARGINS) {
    const thresholds = greedyThresholds(concepts, positives, labelledNegatives, backgroundScores, margin, options.labelledBudget, options.backgroundBudget);
    const found = positives.filter((item) => semanticRuleFlags(item.similarity, item.keepSimilarity, thresholds.get(item.concept)!, margin)).length;
    if (!best || found >= best.found) best = { margin, thresholds, found };
  }
  const { margin, thresholds } = best!;
  // The greedy search stops at the lowest positive it takes; unseen positives fare better with the
  // threshold halfway between that positive and the highest negative below it (the widest margin
  // on both sides). A concept no positive speaks for goes just above its highest negative.
  const taken = new Map(thresholds);
  const negatives: Negative[] = [...labelledNegatives.map((item) => ({ ...item, text: item.row.text })), ...backgroundScores.map((item, index) => ({ ...item, text: background[index] }))];
  for (const concept of concepts) {
    const current = thresholds.get(concept)!;
    const highestNegative = highestNegativeBelow(concept, current, negatives, margin)?.similarity ?? -Infinity;
    if (current === UNREACHABLE) thresholds.set(concept, Math.min(UNREACHABLE, Math.max(loaded.pack.semantic.threshold, highestNegative + UNSEEN_MARGIN)));
    else if (highestNegative > -Infinity) thresholds.set(concept, (current + highestNegative) / 2);
    else thresholds.set(concept, Math.min(current, loaded.pack.semantic.threshold));
  }
  const flaggedBySemantic = (item: Scored) => semanticRuleFlags(item.similarity, item.keepSimilarity, thresholds.get(item.concept)!, margin);

  // Screen: each positive the other detectors miss, in a window with two negatives.
  const negativeTexts = rows.filter((row) => row.label === 0).map((row) => row.text);
  const screenOf = (text: string) => {
    const vector = models.screen.vector(text);
    return Math.max(...semantic.exemplarScreenVectors().map((exemplar) => dot(vector, exemplar)));
  };
  let screen = 1;
  let sentenceScreen = 1;
  positives.forEach((item, index) => {
    const window = [item.row.text, negativeTexts[(2 * index) % negativeTexts.length], negativeTexts[(2 * index + 1) % negativeTexts.length]].join(' ');
    screen = Math.min(screen, screenOf(window) - SCREEN_SLACK);
    sentenceScreen = Math.min(sentenceScreen, screenOf(item.row.text) - SCREEN_SLACK);
  });
  // A window of one sentence is that sentence: the window screen may never be stricter.
  screen = Math.min(screen, sentenceScreen);
  let backgroundIn = 0;
  for (const sentence of background) if (screenOf(sentence) >= sentenceScreen) backgroundIn++;

  // Keyed by the labelled file's own kinds: no prototype, so a kind called `constructor` is a kind.
  const rates = Object.create(null) as CalibrationResult['rates'];
  rows.forEach((row, index) => {
    const rate = (rates[row.kind] ??= { flagged: 0, total: 0 });
    rate.total++;
    if (lexical[index] || flaggedBySemantic(similarities[index])) rate.flagged++;
  });
  if (background.length > 0) rates.background = { flagged: backgroundScores.filter(flaggedBySemantic).length, total: background.length };
  const perConcept: Record<string, ConceptCalibration> = {};
  for (const concept of concepts) {
    const mine = positives.filter((item) => item.concept === concept);
    const lowest = taken.get(concept)!;
    const highest = highestNegativeBelow(concept, thresholds.get(concept)!, negatives, margin);
    perConcept[concept] = {
      threshold: floor3(thresholds.get(concept)!),
      positives: mine.length,
      found: mine.filter(flaggedBySemantic).length,
      lowestTaken: lowest === UNREACHABLE ? null : round(lowest),
      highestNegative: highest ? round(highest.similarity) : null,
      highestNegativeText: highest?.text ?? null,
      backgroundFlagged: backgroundScores.filter((item) => item.concept === concept && flaggedBySemantic(item)).length,
    };
  }
  const result: CalibrationResult = {
    centre: semantic.centred ? centre : undefined,
    keepMargin: margin,
    screen: floor3(screen),
    sentenceScreen: floor3(sentenceScreen),
    concepts: perConcept,
    rates,
    backgroundScreenedIn: background.length > 0 ? round(backgroundIn / background.length) : 0,
  };

  if (options.write) {
    const document = parseDocument(await readFile(loaded.source, 'utf8'));
    document.setIn(['semantic', 'keepMargin'], result.keepMargin);
    document.setIn(['semantic', 'screen'], result.screen);
    document.setIn(['semantic', 'sentenceScreen'], result.sentenceScreen);
    // The thresholds belong to the space they were calibrated in: the centre is written or removed with them.
    if (result.centre) document.setIn(['semantic', 'centre'], result.centre);
    else document.deleteIn(['semantic', 'centre']);
    loaded.pack.concepts.forEach((concept, index) => document.setIn(['concepts', index, 'threshold'], result.concepts[concept.id].threshold));
    // Atomic: a killed run leaves the old pack, never half of the new one.
    await writeFileAtomic(loaded.source, document.toString({ lineWidth: 0 }));
    result.written = loaded.source;
  }
  return result;
}
