/** How the CLI talks: progress on a terminal, JSON lines for machines, nothing when piped or --quiet. */
import { JsonProgress, silentProgress, TerminalProgress, type ProgressSink } from '../pipelines/runtime/progress.js';

export type LogFormat = 'text' | 'json';

export interface OutputOptions {
  quiet: boolean;
  logFormat: LogFormat;
}

export function progressFor(command: string, options: OutputOptions): ProgressSink {
  if (options.quiet) return silentProgress;
  if (options.logFormat === 'json') return new JsonProgress(command);
  return process.stderr.isTTY ? new TerminalProgress(`lacuna ${command}`) : silentProgress;
}

/** A warning: the run goes on, and the user hears of it on stderr (also when --quiet: it is not progress). */
export function warn(message: string): void {
  process.stderr.write(`lacuna: warning: ${message}\n`);
}
