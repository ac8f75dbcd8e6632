/**
 * An HNSW vector index (hnswlib-node) over the embedded units of a corpus,
 * with the mapping from index label back to document id and span, so a
 * nearest neighbour is a passage an auditor can open. Saved as three files:
 * the hnswlib graph, the units as JSONL, and a small JSON of parameters.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { dot } from './embedders/embedder.js';

export interface IndexedUnit {
  id: string;
  start: number;
  end: number;
}

export interface IndexParameters {
  /** Graph degree: more links, better recall, more memory. */
  m: number;
  efConstruction: number;
  /** Candidates examined per query: the main recall/speed trade-off at query time. */
  efSearch: number;
}

export const DEFAULT_INDEX_PARAMETERS: IndexParameters = { m: 16, efConstruction: 200, efSearch: 200 };

export interface Neighbour {
  unit: IndexedUnit;
  label: number;
  similarity: number;
}

const SEED = 100;
export const INDEX_FILES = { graph: 'hnsw.bin', units: 'units.jsonl', meta: 'index.json' } as const;

export class VectorIndex {
  private readonly units: IndexedUnit[] = [];
  /** Kept while building, to measure recall against exact search. */
  private readonly vectors: Float32Array[] = [];
  private readonly graph: hnswlib.HierarchicalNSW;
  private capacity: number;

  private constructor(
    readonly dimensions: number,
    readonly parameters: IndexParameters,
    capacity: number,
  ) {
    this.graph = new hnswlib.HierarchicalNSW('ip', dimensions);
    this.capacity = capacity;
  }

  static create(dimensions: number, parameters: IndexParameters = DEFAULT_INDEX_PARAMETERS, capacity = 1024): VectorIndex {
    const index = new VectorIndex(dimensions, parameters, capacity);
    index.graph.initIndex(capacity, parameters.m, parameters.efConstruction, SEED);
    index.graph.setEf(parameters.efSearch);
    return index;
  }

  /** The document span a label stands for. */
  unitAt(label: number): IndexedUnit {
    return this.units[label];
  }

  get size(): number {
    return this.units.length;
  }

  /** Adds a unit-length vector (inner product is then cosine similarity). */
  add(vector: Float32Array, unit: IndexedUnit): number {
    if (this.units.length >= this.capacity) {
      this.capacity *= 2;
      this.graph.resizeIndex(this.capacity);
    }
    const label = this.units.length;
    this.graph.addPoint(Array.from(vector), label);
    this.units.push(unit);
    this.vectors.push(vector);
    return label;
  }

  query(vector: Float32Array, k: number): Neighbour[] {
    if (this.units.length === 0) return [];
    const result = this.graph.searchKnn(Array.from(vector), Math.min(k, this.units.length));
    return result.neighbors.map((label, at) => ({ label, unit: this.units[label], similarity: 1 - result.distances[at] }));
  }

  /** Exact nearest neighbours by brute force, for measuring recall (needs the vectors kept while building). */
  exact(vector: Float32Array, k: number): Neighbour[] {
    return this.vectors
      .map((other, label) => ({ label, unit: this.units[label], similarity: dot(vector, other) }))
      .sort((a, b) => b.similarity - a.similarity || a.label - b.label)
      .slice(0, k);
  }

  /** Share of the exact top-k that the graph search returns, averaged over the queries. */
  recall(queries: Float32Array[], k: number): number {
    if (queries.length === 0 || this.vectors.length === 0) return 1;
    let found = 0;
    let wanted = 0;
    for (const query of queries) {
      const truth = new Set(this.exact(query, k).map((neighbour) => neighbour.label));
      wanted += truth.size;
      for (const neighbour of this.query(query, k)) if (truth.has(neighbour.label)) found++;
    }
    return wanted > 0 ? found / wanted : 1;
  }

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.graph.writeIndexSync(join(dir, INDEX_FILES.graph));
    await writeFile(join(dir, INDEX_FILES.units), this.units.map((unit) => JSON.stringify(unit)).join('\n') + (this.units.length ? '\n' : ''));
    await writeFile(join(dir, INDEX_FILES.meta), JSON.stringify({ dimensions: this.dimensions, size: this.units.length, parameters: this.parameters, space: 'ip' }, null, 2) + '\n');
  }

  static async load(dir: string): Promise<VectorIndex> {
    const meta = JSON.parse(await readFile(join(dir, INDEX_FILES.meta), 'utf8')) as { dimensions: number; size: number; parameters: IndexParameters };
    const index = new VectorIndex(meta.dimensions, meta.parameters, Math.max(1, meta.size));
    index.graph.readIndexSync(join(dir, INDEX_FILES.graph));
    index.graph.setEf(meta.parameters.efSearch);
    const lines = (await readFile(join(dir, INDEX_FILES.units), 'utf8')).split('\n').filter(Boolean);
    for (const line of lines) index.units.push(JSON.parse(line) as IndexedUnit);
    return index;
  }
}

/**
 * A run's verification index as its work units saved it, one part per unit (index/part-NNNNN/),
 * queried as one: the k nearest over all parts are among each part's k nearest, so merging the
 * parts' answers by similarity is exact (ties go to the earlier part, then the lower label).
 */
export class IndexParts {
  private constructor(private readonly parts: VectorIndex[]) {}

  static async load(dirs: string[]): Promise<IndexParts> {
    const parts: VectorIndex[] = [];
    for (const dir of dirs) parts.push(await VectorIndex.load(dir));
    return new IndexParts(parts);
  }

  query(vector: Float32Array, k: number): Neighbour[] {
    return this.parts
      .flatMap((part, at) => part.query(vector, k).map((neighbour) => ({ neighbour, at })))
      .sort((a, b) => b.neighbour.similarity - a.neighbour.similarity || a.at - b.at || a.neighbour.label - b.neighbour.label)
      .slice(0, k)
      .map(({ neighbour }) => neighbour);
  }
}
