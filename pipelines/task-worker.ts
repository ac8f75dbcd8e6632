/** Worker-thread entry: builds the task named in workerData once, then runs batches as they arrive. */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditTask, type AuditTaskConfig } from './audit-task.js';
import { MaskTask, type MaskTaskConfig } from './mask-task.js';
import type { BatchTask, TaskDocument, TaskSpec } from './runtime/batches.js';

const spec = workerData as TaskSpec<unknown>;
const tasks: Record<string, () => Promise<BatchTask<unknown>>> = {
  mask: () => MaskTask.create(spec.config as MaskTaskConfig),
  audit: () => AuditTask.create(spec.config as AuditTaskConfig),
};
// Loading (models for the semantic detector) starts at once; batches wait for it.
const task = tasks[spec.kind]();
task.catch(() => {});

parentPort!.on('message', async ({ seq, task: documents }: { seq: number; task: TaskDocument[] }) => {
  try {
    parentPort!.postMessage({ seq, result: await (await task).run(documents) });
  } catch (error) {
    parentPort!.postMessage({ seq, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
