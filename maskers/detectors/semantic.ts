/**
 * The semantic detector: finds sentences that state a target concept in other
 * words ("nothing travels faster than light" names no concept, yet is special
 * relativity), by comparing each sentence with the pack's exemplar sentences
 * for each concept and with its keep exemplars (the pre-cutoff look-alikes).
 *
 * A sentence is a finding when its cosine similarity to the nearest exemplar
 * of a concept reaches that concept's calibrated threshold and beats its
 * nearest keep exemplar by the pack's margin: "Michelson and Morley found no
 * ether drift in 1887" stays, "the null result shows light's speed is the same
 * in every frame" goes. Similarities are taken after the pack's centre is
 * subtracted, where it has one for this encoder (indexes/centre.ts).
 *
 * The encoder is slow, so text is screened first with the static embedder
 * distilled from it: windows of a few sentences, then the sentences of the
 * windows that pass; only sentences close enough to some concept exemplar
 * reach the encoder. Sentences earlier detectors flagged are never embedded.
 */
import { centred, decodeCentre } from '../../indexes/centre.js';
import type { EmbeddingCache } from '../../indexes/embedding-cache.js';
import { dot } from '../../indexes/embedders/embedder.js';
import type { StaticEmbedder } from '../../indexes/embedders/static.js';
import type { Detector, DetectorResult, SpanFinding } from '../findings.js';
import type { Pack, SemanticSettings } from '../pack/schema.js';
import { segment, type Sentence } from '../segment/segmenter.js';

export interface SemanticModels {
  /** Fast, coarse: screens windows. */
  screen: StaticEmbedder;
  /** The sentence encoder behind a cache. */
  encoder: EmbeddingCache;
}

interface Exemplar {
  concept: string;
  text: string;
  vector: Float32Array;
  screenVector: Float32Array;
}

/** How much text the semantic detector screened and embedded (the cost it kept down). */
export interface SemanticStats {
  sentences: number;
  windows: number;
  windowsScreenedIn: number;
  sentencesEmbedded: number;
}

export function emptySemanticStats(): SemanticStats {
  return { sentences: 0, windows: 0, windowsScreenedIn: 0, sentencesEmbedded: 0 };
}

/** Encoder vectors of texts, moved to the centred space when there is a centre. */
async function encodeInSpace(encoder: EmbeddingCache, centre: Float32Array | undefined, texts: readonly string[]): Promise<Float32Array[]> {
  const vectors = await encoder.embed(texts);
  return centre ? vectors.map((vector) => centred(vector, centre)) : vectors;
}

/** The nearest exemplar to a vector, and its similarity. */
function nearest(vector: Float32Array, exemplars: readonly Exemplar[], field: 'vector' | 'screenVector'): { exemplar: Exemplar | undefined; similarity: number } {
  let best: Exemplar | undefined;
  let similarity = -Infinity;
  for (const exemplar of exemplars) {
    const value = dot(vector, exemplar[field]);
    if (value > similarity) {
      similarity = value;
      best = exemplar;
    }
  }
  return { exemplar: best, similarity };
}

/**
 * The semantic detector's rule, the one place it is written: a sentence is flagged when it is
 * at least `threshold` similar to a concept's exemplars and nearer to them than to the nearest
 * keep exemplar by more than `keepMargin`. Detection, verification and calibration all call it.
 */
export function semanticRuleFlags(similarity: number, keepSimilarity: number, threshold: number, keepMargin: number): boolean {
  return similarity >= threshold && passesKeepMargin(similarity, keepSimilarity, keepMargin);
}

/** The keep half of the rule alone: nearer the target than the keeps by more than the margin. */
export function passesKeepMargin(similarity: number, keepSimilarity: number, keepMargin: number): boolean {
  return similarity - keepSimilarity > keepMargin;
}

export class SemanticDetector implements Detector {
  readonly name = 'semantic';
  /** A sentence closer to a keep exemplar stays; a keep term inside a target sentence does not save it. */
  readonly weighsKeeps = true;

  private constructor(
    private readonly models: SemanticModels,
    private readonly settings: SemanticSettings,
    private readonly thresholds: Map<string, number>,
    private readonly exemplars: Exemplar[],
    private readonly keepExemplars: Exemplar[],
    private readonly centre: Float32Array | undefined,
  ) {}

  /** Whether similarities are taken in the pack's centred space (its centre belongs to this encoder). */
  get centred(): boolean {
    return this.centre !== undefined;
  }

  /** Encoder vectors of texts, in the space the thresholds were calibrated in. */
  private encode(texts: readonly string[]): Promise<Float32Array[]> {
    return encodeInSpace(this.models.encoder, this.centre, texts);
  }

  /**
   * Exemplars of every concept are compared with, even when only some are
   * masked: a sentence nearest to an unmasked concept is not a finding, rather
   * than a finding of whichever masked concept happens to come second.
   */
  static async create(pack: Pack, models: SemanticModels, concepts?: ReadonlySet<string>): Promise<SemanticDetector> {
    const chosen = pack.concepts.filter((concept) => !concepts || concepts.has(concept.id));
    const targets = pack.concepts.flatMap((concept) => concept.exemplars.map((text) => ({ concept: concept.id, text })));
    const keeps = [...pack.keepExemplars.map((text) => ({ concept: '', text })), ...pack.concepts.flatMap((concept) => concept.keepExemplars.map((text) => ({ concept: concept.id, text })))];
    const thresholds = new Map(chosen.map((concept) => [concept.id, concept.threshold ?? pack.semantic.threshold]));
    // A centre calibrated for another encoder (or of another size) does not apply: plain cosine then.
    const decoded = pack.semantic.centre?.model === models.encoder.modelId ? decodeCentre(pack.semantic.centre.vector) : undefined;
    const centre = decoded instanceof Float32Array && decoded.length === models.encoder.dimensions ? decoded : undefined;
    const embed = async (items: { concept: string; text: string }[]): Promise<Exemplar[]> => {
      const vectors = await encodeInSpace(models.encoder, centre, items.map((item) => item.text));
      return items.map((item, index) => ({ ...item, vector: vectors[index], screenVector: models.screen.vector(item.text) }));
    };
    return new SemanticDetector(models, pack.semantic, thresholds, await embed(targets), await embed(keeps), centre);
  }

  /** The static vectors of the target exemplars (what the screen compares with). */
  exemplarScreenVectors(): Float32Array[] {
    return this.exemplars.map((exemplar) => exemplar.screenVector);
  }

  /** Whether the detector's rule flags a sentence of this similarity to a concept and to the keeps. */
  private flags(concept: string, similarity: number, keepSimilarity: number): boolean {
    return semanticRuleFlags(similarity, keepSimilarity, this.thresholds.get(concept) ?? Infinity, this.settings.keepMargin);
  }

  /** The detector's verdict on each text, screen aside: for verification, which scores passages the index found. */
  async verdicts(texts: readonly string[]): Promise<{ concept: string; similarity: number; keepSimilarity: number; flagged: boolean }[]> {
    return (await this.similarities(texts)).map((item) => ({ concept: item.concept, similarity: item.similarity, keepSimilarity: item.keepSimilarity, flagged: this.flags(item.concept, item.similarity, item.keepSimilarity) }));
  }

  /** Whether the detector has anything to compare with. */
  get active(): boolean {
    return this.exemplars.length > 0;
  }

  /** Nearest target and keep exemplars of a sentence, for calibration and reports. */
  async similarities(texts: readonly string[]): Promise<{ concept: string; exemplar: string; similarity: number; keepSimilarity: number; screen: number }[]> {
    const vectors = await this.encode(texts);
    return vectors.map((vector, index) => {
      const target = nearest(vector, this.exemplars, 'vector');
      const keep = nearest(vector, this.keepExemplars, 'vector');
      const screen = nearest(this.models.screen.vector(texts[index]), this.exemplars, 'screenVector');
      return { concept: target.exemplar?.concept ?? '', exemplar: target.exemplar?.text ?? '', similarity: target.similarity, keepSimilarity: keep.similarity, screen: screen.similarity };
    });
  }

  async detect(text: string, earlier: readonly SpanFinding[] = []): Promise<DetectorResult> {
    if (!this.active) return { findings: [], suppressed: [] };
    const { sentences } = segment(text);
    const stats = emptySemanticStats();
    stats.sentences = sentences.length;
    // Sentences the earlier detectors flagged will go anyway: no need to embed them.
    const sorted = [...earlier].sort((a, b) => a.start - b.start);
    let cursor = 0;
    const open = sentences.filter((sentence) => {
      while (cursor < sorted.length && sorted[cursor].end <= sentence.start) cursor++;
      return !(cursor < sorted.length && sorted[cursor].start < sentence.end);
    });
    const candidates: Sentence[] = [];
    for (let start = 0; start < open.length; ) {
      let end = start + 1;
      while (end < open.length && end - start < this.settings.window && open[end].paragraph === open[start].paragraph) end++;
      const window = open.slice(start, end);
      stats.windows++;
      const vector = this.models.screen.vector(text.slice(window[0].start, window[window.length - 1].end));
      if (nearest(vector, this.exemplars, 'screenVector').similarity >= this.settings.screen) {
        stats.windowsScreenedIn++;
        for (const sentence of window) {
          const sentenceVector = window.length === 1 ? vector : this.models.screen.vector(text.slice(sentence.start, sentence.end));
          if (nearest(sentenceVector, this.exemplars, 'screenVector').similarity >= this.settings.sentenceScreen) candidates.push(sentence);
        }
      }
      start = end;
    }
    if (candidates.length === 0) return { findings: [], suppressed: [], semantic: stats };
    stats.sentencesEmbedded = candidates.length;
    const vectors = await this.encode(candidates.map((sentence) => text.slice(sentence.start, sentence.end)));
    const findings: SpanFinding[] = [];
    const suppressed: SpanFinding[] = [];
    candidates.forEach((sentence, index) => {
      const target = nearest(vectors[index], this.exemplars, 'vector');
      if (!target.exemplar) return;
      const concept = target.exemplar.concept;
      // Unmasked concepts have no threshold: nothing reaches it.
      if (target.similarity < (this.thresholds.get(concept) ?? Infinity)) return;
      const keep = nearest(vectors[index], this.keepExemplars, 'vector');
      const keepSimilarity = keep.exemplar ? keep.similarity : -1;
      const finding: SpanFinding = {
        start: sentence.start,
        end: sentence.end,
        concept,
        detector: this.name,
        score: Math.round(target.similarity * 1000) / 1000,
        evidence: { rule: 'exemplar', match: target.exemplar.text, support: `cosine ${target.similarity.toFixed(3)}; nearest keep exemplar ${keep.similarity.toFixed(3)}` },
      };
      // Closer to a pre-cutoff look-alike than to the target: it stays, and is reported as suppressed.
      if (this.flags(concept, target.similarity, keepSimilarity)) findings.push(finding);
      else suppressed.push(finding);
    });
    return { findings, suppressed, semantic: stats };
  }
}
