import type { RawByteTap } from '../byte-source.js';
import type { InputEvent } from '../document.js';
import type { FieldOptions } from '../record-mapping.js';

export type InputFormat = 'jsonl' | 'json' | 'text';

/** One file (or stdin) to read, as resolved from the command line. */
export interface InputFile {
  /** Path to open, or "-" for stdin. */
  path: string;
  /** Stable name used in ids, rejects and the manifest: relative to the input root. */
  label: string;
  format: InputFormat;
  /** Size in bytes when known (not for stdin), for progress and ETA. */
  size?: number;
}

export type ReaderOptions = FieldOptions;

export type Reader = (file: InputFile, options: ReaderOptions, tap: RawByteTap) => AsyncGenerator<InputEvent>;

export function damagedStreamReason(compression: string, after: string, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  const what = compression === 'none' ? 'input' : `${compression} stream`;
  return `${what} is damaged or truncated after ${after} (${detail})`;
}
