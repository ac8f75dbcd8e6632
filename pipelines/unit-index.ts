/**
 * The semantic verification of one work unit: an HNSW index over the sentences the unit wrote,
 * queried with every concept's exemplars and masked probes; the nearest passages are scored by
 * the semantic detector's rule (passageVerdicts). Each unit keeps, per query, its nearest
 * sentences and their screen similarity; the merge keeps the run's nearest per query out of
 * the units' (exact: the run's top k are among the units' top k), so the index never holds
 * more than a unit, and memory does not grow with the corpus.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { corpusDocuments } from '../corpora/corpus-reader.js';
import type { OutputShape } from '../corpora/document.js';
import { digestFile } from '../corpora/hashing.js';
import type { StaticEmbedder } from '../indexes/embedders/static.js';
import { INDEX_FILES, VectorIndex, type IndexParameters } from '../indexes/vector-index.js';
import type { SemanticDetector } from '../maskers/detectors/semantic.js';
import type { Pack } from '../maskers/pack/schema.js';
import { segment } from '../maskers/segment/segmenter.js';
import { residualPassage } from './leakage-report.js';
import { NEIGHBOURS_PER_QUERY, passageVerdicts, RECALL_QUERIES, semanticQueries, type ScoredPassage } from './semantic-verification.js';
import type { IndexReport, ResidualPassage } from './verify.js';

export interface UnitIndexSummary {
  /** Sentences indexed. */
  units: number;
  dimensions: number;
  recallAt10: number;
  buildMs: number;
  queryMs: number;
  /** For each query (in semanticQueries order), the unit's nearest sentences: [label, screen similarity]. */
  neighbours: [number, number][][];
  /** Every sentence some query found, scored, by label. */
  scored: Record<string, ScoredPassage>;
  /** The saved index, relative to the unit's directory (none when the unit wrote no sentence). */
  files: { path: string; bytes: number; sha256: string; records: number }[];
}

export class UnitIndexer {
  private readonly index: VectorIndex;
  /** The position, among the documents the unit wrote, of each label's document. */
  private readonly documentOf: number[] = [];
  private written = 0;
  private buildMs = 0;

  constructor(
    private readonly screen: StaticEmbedder,
    private readonly parameters: IndexParameters,
  ) {
    this.index = VectorIndex.create(screen.dimensions, parameters);
  }

  /** A document as the unit wrote it into its corpus, in order. */
  add(id: string, text: string): void {
    const start = performance.now();
    for (const sentence of segment(text).sentences) {
      const label = this.index.add(this.screen.vector(text.slice(sentence.start, sentence.end)), { id, start: sentence.start, end: sentence.end });
      this.documentOf[label] = this.written;
    }
    this.written++;
    this.buildMs += performance.now() - start;
  }

  /** Queries the index, scores what it found (reading the shards again for the text), and saves it into `dir/index/` when given a `dir`. */
  async finish(dir: string | undefined, shards: string[], shape: OutputShape, pack: Pack, concepts: Set<string> | undefined, semantic: SemanticDetector): Promise<UnitIndexSummary> {
    const queryStart = performance.now();
    const vectors = semanticQueries(pack, concepts).map((query) => this.screen.vector(query));
    const neighbours = vectors.map((vector) => this.index.query(vector, NEIGHBOURS_PER_QUERY).map((neighbour): [number, number] => [neighbour.label, neighbour.similarity]));
    const queryMs = performance.now() - queryStart;
    // The labels found, by the document they are in (ascending labels are in document order).
    const found = [...new Set(neighbours.flatMap((list) => list.map(([label]) => label)))].sort((a, b) => a - b);
    const wanted = new Map<number, number[]>();
    for (const label of found) (wanted.get(this.documentOf[label]) ?? wanted.set(this.documentOf[label], []).get(this.documentOf[label])!).push(label);
    const labels: number[] = [];
    const texts: string[] = [];
    const passages: ResidualPassage[] = [];
    let position = 0;
    for await (const doc of wanted.size > 0 ? corpusDocuments(shards, shape) : []) {
      for (const label of wanted.get(position++) ?? []) {
        const { start, end } = this.index.unitAt(label);
        labels.push(label);
        texts.push(doc.text.slice(start, end));
        passages.push(residualPassage(doc.id, doc.text, start, end, 'semantic', 0, false));
      }
    }
    const verdicts = await passageVerdicts(pack, semantic, texts);
    const scored: Record<string, ScoredPassage> = {};
    labels.forEach((label, at) => (scored[label] = { passage: passages[at], concept: verdicts[at].concept, similarity: verdicts[at].similarity, flagged: verdicts[at].flagged }));
    const files = [];
    if (dir && this.index.size > 0) {
      await mkdir(join(dir, 'index'), { recursive: true });
      await this.index.save(join(dir, 'index'));
      for (const name of Object.values(INDEX_FILES)) files.push({ path: `index/${name}`, records: 0, ...(await digestFile(join(dir, 'index', name))) });
    }
    return {
      units: this.index.size,
      dimensions: this.index.dimensions,
      recallAt10: this.index.size > 0 ? this.index.recall(vectors.slice(0, RECALL_QUERIES), 10) : 1,
      buildMs: this.buildMs,
      queryMs,
      neighbours,
      scored,
      files,
    };
  }
}

/**
 * The run's semantic verification out of its units': per query, the nearest sentences over all
 * units (ties by unit, then label, so the result does not depend on how units were run), and
 * the scored passages among them. Holds at most queries × k entries whatever the run's size.
 */
export class IndexMerger {
  private readonly top: { unit: number; label: number; similarity: number }[][] = [];
  private readonly scored = new Map<string, ScoredPassage>();
  private units = 0;
  private recallWeight = 0;
  private dimensions = 0;
  private buildMs = 0;
  private queryMs = 0;

  absorb(unit: number, summary: UnitIndexSummary): void {
    summary.neighbours.forEach((list, query) => {
      const merged = [...(this.top[query] ?? []), ...list.map(([label, similarity]) => ({ unit, label, similarity }))];
      this.top[query] = merged.sort((a, b) => b.similarity - a.similarity || a.unit - b.unit || a.label - b.label).slice(0, NEIGHBOURS_PER_QUERY);
    });
    for (const [label, passage] of Object.entries(summary.scored)) this.scored.set(`${unit}:${label}`, passage);
    // Passages no query keeps any more are let go.
    const live = new Set(this.top.flatMap((list) => list.map((entry) => `${entry.unit}:${entry.label}`)));
    for (const key of this.scored.keys()) if (!live.has(key)) this.scored.delete(key);
    this.units += summary.units;
    this.recallWeight += summary.recallAt10 * summary.units;
    this.dimensions ||= summary.dimensions;
    this.buildMs += summary.buildMs;
    this.queryMs += summary.queryMs;
  }

  result(parameters: IndexParameters): { scored: ScoredPassage[]; report: IndexReport } {
    // In unit, then label order: the order a single index over the whole output would list them in.
    const keys = [...this.scored.keys()].sort((a, b) => {
      const [ua, la] = a.split(':').map(Number);
      const [ub, lb] = b.split(':').map(Number);
      return ua - ub || la - lb;
    });
    const scored = keys.map((key) => this.scored.get(key)!);
    return {
      scored,
      report: { units: this.units, dimensions: this.dimensions, parameters, recallAt10: this.units > 0 ? Math.round((this.recallWeight / this.units) * 1000) / 1000 : 1, buildMs: Math.round(this.buildMs), queryMs: Math.round(this.queryMs), candidatesScored: scored.length },
    };
  }
}
