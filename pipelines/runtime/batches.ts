/**
 * The streaming core shared by the jobs: input events are grouped into
 * batches of documents, each batch goes through a task (in a worker pool or
 * inline), and batches come back in input order with rejects still in place.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { InputEvent } from '../../corpora/document.js';
import type { StageStats } from '../../corpora/manifest.js';
import { mapOrdered, WorkerPool } from './worker-pool.js';
import { workerScript } from './worker-script.js';

export const DEFAULT_WORKERS = Math.max(1, availableParallelism() - 1);
const BATCH_DOCUMENTS = 256;
const BATCH_CHARS = 1 << 20;

export interface TaskDocument {
  id: string;
  text: string;
}

export interface BatchItem {
  event: InputEvent;
  /** Index into the batch's documents, for doc events; -1 for rejects. */
  slot: number;
}

export interface Batch {
  items: BatchItem[];
  documents: TaskDocument[];
}

/** Passes events through, adding the time spent producing them (reading, decompressing, parsing) to `stats`. */
export async function* timed<T>(source: AsyncIterable<T>, stats: StageStats): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    const start = performance.now();
    const next = await iterator.next();
    stats.ms += performance.now() - start;
    if (next.done) return;
    stats.items++;
    yield next.value;
  }
}

/** Groups input events into batches of documents for the pool, keeping rejects in their place. */
export async function* batches(events: AsyncIterable<InputEvent>): AsyncGenerator<Batch> {
  let batch: Batch = { items: [], documents: [] };
  let chars = 0;
  for await (const event of events) {
    if (event.kind === 'doc') {
      batch.items.push({ event, slot: batch.documents.length });
      batch.documents.push({ id: event.doc.id, text: event.doc.text });
      chars += event.doc.text.length;
    } else batch.items.push({ event, slot: -1 });
    if (batch.documents.length >= BATCH_DOCUMENTS || chars >= BATCH_CHARS) {
      yield batch;
      batch = { items: [], documents: [] };
      chars = 0;
    }
  }
  if (batch.items.length > 0) yield batch;
}

/** Work done per batch: the same code runs in a worker thread or inline. */
export interface BatchTask<TResult> {
  run(documents: TaskDocument[]): Promise<TResult>;
}

export interface TaskSpec<TConfig> {
  /** Which task the worker builds (see task-worker.ts). */
  kind: string;
  config: TConfig;
}

/**
 * Runs batches through `workers` threads (or inline when 0), yielding each
 * batch with its result in input order, at most two batches per worker in flight.
 */
export class BatchRunner<TConfig, TResult> {
  private readonly pool: WorkerPool<TaskDocument[], TResult> | undefined;
  private readonly inline: Promise<BatchTask<TResult>> | undefined;

  constructor(spec: TaskSpec<TConfig>, workers: number, makeInline: () => Promise<BatchTask<TResult>>) {
    this.pool = workers > 0 ? new WorkerPool(workerScript('task-worker'), workers, spec) : undefined;
    this.inline = this.pool ? undefined : makeInline();
    // A failed load is reported by the first batch that needs the task.
    this.inline?.catch(() => {});
  }

  get workers(): number {
    return this.pool?.size ?? 0;
  }

  run(batchesIn: AsyncIterable<Batch>): AsyncGenerator<{ batch: Batch; result: TResult }> {
    const process = async (batch: Batch) => ({ batch, result: this.pool ? await this.pool.run(batch.documents) : await (await this.inline!).run(batch.documents) });
    return mapOrdered(batchesIn, process, Math.max(2, this.workers * 2));
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
