/**
 * Worker-thread entry of `lacuna mask`: builds the mask task once (models load here, not on
 * the main thread), then runs whole work units as they are handed out, reporting bytes read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkUnit } from '../corpora/work-units.js';
import { MaskTask } from './mask-task.js';
import { runMaskUnit, type UnitSetup } from './mask-unit.js';
import { serializeError } from './runtime/worker-errors.js';

const setup = workerData as UnitSetup;
const task = MaskTask.create(setup.task);
task.catch(() => {});

parentPort!.on('message', async (unit: WorkUnit) => {
  try {
    await runMaskUnit(unit, setup, await task, (bytes, records) => parentPort!.postMessage({ kind: 'progress', unit: unit.index, bytes, records }));
    parentPort!.postMessage({ kind: 'done', unit: unit.index });
  } catch (error) {
    parentPort!.postMessage({ kind: 'error', unit: unit.index, error: serializeError(error) });
  }
});
