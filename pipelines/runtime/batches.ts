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
/**
 * The most characters of records detected together (one context run, see contextRuns): a run
 * longer than this goes on as a new run. A book is well under it; the cap keeps a corpus whose
 * every record has the same context value from becoming one text held in memory.
 */
export const CONTEXT_MAX_CHARS = 1 << 23;

export interface TaskDocument {
  id: string;
  text: string;
  /** Document.context: documents that follow one another in a batch with the same value are detected together. */
  context?: string;
}

/**
 * Whether a document with `context` goes on the context run that the previous document ended
 * (`runContext`, `runChars` characters so far): the same value, and the run under CONTEXT_MAX_CHARS.
 * The one rule for where runs end, for batches() and for reading a corpus back (verify).
 */
export function continuesRun(context: string | undefined, runContext: string | undefined, runChars: number): boolean {
  return context !== undefined && context === runContext && runChars < CONTEXT_MAX_CHARS;
}

/** Items in order, gathered into their context runs (continuesRun), each run given as it ends. */
export async function* contextGroups<T extends { text: string; context?: string }>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  let run: T[] = [];
  let runChars = 0;
  for await (const item of items) {
    if (run.length > 0 && !continuesRun(item.context, run[run.length - 1].context, runChars)) {
      yield run;
      run = [];
      runChars = 0;
    }
    run.push(item);
    runChars += item.text.length;
  }
  if (run.length > 0) yield run;
}

/**
 * The runs of documents detected together, as [start, end) index ranges covering `documents` in
 * order: consecutive documents with the same context value (continuesRun), each document without one alone.
 * batches() never cuts a run between two batches unless it passed CONTEXT_MAX_CHARS, so the runs,
 * and so every outcome, are the same whatever the batch and worker.
 */
export function contextRuns(documents: readonly TaskDocument[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let start = 0; start < documents.length; ) {
    let end = start + 1;
    let chars = documents[start].text.length;
    while (end < documents.length && continuesRun(documents[end].context, documents[start].context, chars)) chars += documents[end++].text.length;
    runs.push([start, end]);
    start = end;
  }
  return runs;
}

/**
 * What `detect` finds in each document, each context run (contextRuns) joined as one text
 * (DetectorChain.detectTogether): one result per document, in order; `runs` when the caller has them. How mask and audit detect.
 */
export async function detectRuns<R>(documents: readonly TaskDocument[], detect: (texts: string[]) => Promise<R[]>, runs = contextRuns(documents)): Promise<R[]> {
  const results: R[] = [];
  for (const [start, end] of runs) results.push(...(await detect(documents.slice(start, end).map((document) => document.text))));
  return results;
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

/**
 * Groups input events into batches of documents for the pool, keeping rejects in their place. A
 * full batch is cut before the next document, unless that document continues the last one's
 * context run (contextRuns) and the run is still under CONTEXT_MAX_CHARS: a run's records stay
 * together. A run that reaches the cap is cut there, and the next batch starts a new run.
 */
export async function* batches(events: AsyncIterable<InputEvent>): AsyncGenerator<Batch> {
  let batch: Batch = { items: [], documents: [] };
  let chars = 0;
  // The context run the batch ends with, and its characters so far.
  let runContext: string | undefined;
  let runChars = 0;
  for await (const event of events) {
    if (event.kind === 'doc') {
      const context = event.doc.context;
      const continues = continuesRun(context, runContext, runChars);
      const full = batch.documents.length >= BATCH_DOCUMENTS || chars >= BATCH_CHARS;
      // A run cut at the cap goes on in the next batch as a run of its own.
      if (batch.items.length > 0 && (full ? !continues : context !== undefined && context === runContext && !continues)) {
        yield batch;
        batch = { items: [], documents: [] };
        chars = 0;
      }
      if (!continues) runChars = 0;
      runContext = context;
      runChars += event.doc.text.length;
      batch.items.push({ event, slot: batch.documents.length });
      batch.documents.push(context === undefined ? { id: event.doc.id, text: event.doc.text } : { id: event.doc.id, text: event.doc.text, context });
      chars += event.doc.text.length;
    } else batch.items.push({ event, slot: -1 });
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
