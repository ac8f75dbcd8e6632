/** Worker-thread entry: builds the mask task once from workerData, then runs batches as they arrive. */
import { parentPort, workerData } from 'node:worker_threads';
import { MaskTask, type MaskTaskConfig, type TaskDocument } from './mask-task.js';

const task = new MaskTask(workerData as MaskTaskConfig);

parentPort!.on('message', ({ seq, task: documents }: { seq: number; task: TaskDocument[] }) => {
  try {
    parentPort!.postMessage({ seq, result: task.run(documents) });
  } catch (error) {
    parentPort!.postMessage({ seq, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
