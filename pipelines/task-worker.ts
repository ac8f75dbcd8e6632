/** Worker-thread entry: builds the task named in workerData once, then runs batches as they arrive. */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditTask, type AuditTaskConfig } from './audit-task.js';
import { MaskTask, type MaskTaskConfig } from './mask-task.js';
import type { BatchTask, TaskDocument, TaskSpec } from './runtime/batches.js';

const spec = workerData as TaskSpec<unknown>;
const tasks: Record<string, () => BatchTask<unknown>> = {
  mask: () => new MaskTask(spec.config as MaskTaskConfig),
  audit: () => new AuditTask(spec.config as AuditTaskConfig),
};
const task = tasks[spec.kind]();

parentPort!.on('message', ({ seq, task: documents }: { seq: number; task: TaskDocument[] }) => {
  try {
    parentPort!.postMessage({ seq, result: task.run(documents) });
  } catch (error) {
    parentPort!.postMessage({ seq, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
