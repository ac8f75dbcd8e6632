/**
 * Runs work units of `lacuna mask`: in worker threads, a whole unit per worker at a time (read,
 * detect, write and compress all happen in the worker, so every core does detection and the
 * main thread only hands out units), or inline on the main thread with --workers 0. Units are
 * independent and each writes its own directory, so the order they finish in changes nothing.
 */
import { Worker } from 'node:worker_threads';
import type { WorkUnit } from '../corpora/work-units.js';
import { MaskTask } from './mask-task.js';
import { runMaskUnit, type UnitProgress, type UnitSetup } from './mask-unit.js';
import { deserializeError, type SerializedError } from './runtime/worker-errors.js';
import { workerScript } from './runtime/worker-script.js';

type WorkerMessage = { kind: 'progress'; unit: number; bytes: number; records: number } | { kind: 'done'; unit: number } | { kind: 'error'; unit: number; error: SerializedError };

/**
 * Runs `units` to completion (each leaves its summary in the work area, where the merge reads it:
 * summaries are not held here, so memory does not grow with the number of units). `onProgress`
 * hears the input bytes read and records done so far over all of them.
 */
export async function runUnits(units: WorkUnit[], setup: UnitSetup, workers: number, onProgress: UnitProgress = () => undefined): Promise<void> {
  // Totals kept up to date by each unit's change since its last report: no pass over all units per message.
  const byUnit = new Map<number, [number, number]>();
  let totalBytes = 0;
  let totalRecords = 0;
  const report = (unit: number, bytes: number, records: number) => {
    const [lastBytes, lastRecords] = byUnit.get(unit) ?? [0, 0];
    byUnit.set(unit, [bytes, records]);
    totalBytes += bytes - lastBytes;
    totalRecords += records - lastRecords;
    onProgress(totalBytes, totalRecords);
  };
  const finished = new Set<number>();
  // A worker thread has no stdin of its own: a unit reading stdin runs here. One unit runs here
  // too: a worker thread would run it no faster, and would load the modules, the pack's detectors
  // and the models a second time (0.7–1 s of CPU, most of a small run).
  const inline = workers === 0 || units.length <= 1 || units.some((unit) => unit.files.some((file) => file.path === '-'));
  if (inline) {
    const task = units.length > 0 ? await MaskTask.create(setup.task) : undefined;
    for (const unit of units) {
      await runMaskUnit(unit, setup, task!, (bytes, records) => report(unit.index, bytes, records));
      finished.add(unit.index);
    }
  } else {
    await new Promise<void>((resolve, reject) => {
      const queue = [...units];
      const pool: Worker[] = [];
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        Promise.all(pool.map((worker) => worker.terminate())).finally(() => reject(error));
      };
      const next = (worker: Worker) => {
        const unit = queue.shift();
        if (unit) worker.postMessage(unit);
        else if (finished.size === units.length) Promise.all(pool.map((each) => each.terminate())).then(() => resolve(), reject);
      };
      for (let i = 0; i < Math.min(workers, units.length); i++) {
        const worker = new Worker(workerScript('unit-worker'), { workerData: setup });
        worker.on('message', (message: WorkerMessage) => {
          if (failed) return;
          if (message.kind === 'progress') report(message.unit, message.bytes, message.records);
          else if (message.kind === 'error') fail(deserializeError(message.error));
          else {
            finished.add(message.unit);
            next(worker);
          }
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (code !== 0 && !failed && finished.size < units.length) fail(new Error(`worker thread exited with code ${code}`));
        });
        pool.push(worker);
      }
      for (const worker of pool) next(worker);
    });
  }
}
