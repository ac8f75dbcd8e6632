/**
 * A fixed pool of worker threads that maps an async stream of tasks to results
 * in input order, with at most `window` tasks in flight. The window is the
 * backpressure: no more input is pulled until the oldest result is taken.
 */
import { Worker } from 'node:worker_threads';

interface Pending<TResult> {
  resolve: (result: TResult) => void;
  reject: (error: Error) => void;
}

interface WorkerReply<TResult> {
  seq: number;
  result?: TResult;
  error?: string;
}

export class WorkerPool<TTask, TResult> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { seq: number; task: TTask }[] = [];
  private readonly pending = new Map<number, Pending<TResult>>();
  private seq = 0;
  private failure: Error | undefined;

  constructor(script: URL | string, size: number, workerData: unknown) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script, { workerData });
      worker.on('message', (reply: WorkerReply<TResult>) => this.onReply(worker, reply));
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`worker thread exited with code ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  private onReply(worker: Worker, reply: WorkerReply<TResult>): void {
    const pending = this.pending.get(reply.seq);
    this.pending.delete(reply.seq);
    if (reply.error !== undefined) pending?.reject(new Error(reply.error));
    else pending?.resolve(reply.result as TResult);
    const next = this.queue.shift();
    if (next) worker.postMessage(next);
    else this.idle.push(worker);
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  run(task: TTask): Promise<TResult> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    const promise = new Promise<TResult>((resolve, reject) => this.pending.set(seq, { resolve, reject }));
    const worker = this.idle.pop();
    if (worker) worker.postMessage({ seq, task });
    else this.queue.push({ seq, task });
    return promise;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Applies `fn` to each input with up to `window` calls outstanding, yielding
 * results in input order. Works the same for a pool and for inline work.
 */
export async function* mapOrdered<TIn, TOut>(inputs: AsyncIterable<TIn>, fn: (input: TIn) => Promise<TOut>, window: number): AsyncGenerator<TOut> {
  const inFlight: Promise<TOut>[] = [];
  for await (const input of inputs) {
    const promise = fn(input);
    // A later task may fail while an earlier one is awaited; its error is reported when its turn comes.
    promise.catch(() => {});
    inFlight.push(promise);
    if (inFlight.length >= window) yield await inFlight.shift()!;
  }
  while (inFlight.length > 0) yield await inFlight.shift()!;
}
