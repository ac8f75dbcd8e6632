import type { ByteRange, RawByteTap } from '../byte-source.js';
import type { InputEvent } from '../document.js';
import type { FieldOptions } from '../record-mapping.js';

export type InputFormat = 'jsonl' | 'json' | 'text' | 'parquet';

/** One file (or stdin) to read, as resolved from the command line. */
export interface InputFile {
  /** Path to open, or "-" for stdin. */
  path: string;
  /** Stable name used in ids, rejects and the manifest: relative to the input root. */
  label: string;
  format: InputFormat;
  /** Size in bytes when known (not for stdin), for progress and ETA. */
  size?: number;
  /** Only the lines starting in this byte range (a large uncompressed JSONL file split into work units). */
  range?: ByteRange;
}

/**
 * How text files are decoded. JSON is UTF-8 by definition (RFC 8259), so this
 * applies to .txt/.md files only: `utf-8` rejects a file that is not valid
 * UTF-8; `latin1` reads every file as Windows-1252; `auto` reads UTF-8 and
 * falls back to Windows-1252 for a file that is not valid UTF-8 (older
 * Project Gutenberg texts are ISO-8859-1).
 */
export type TextEncoding = 'utf-8' | 'latin1' | 'auto';

export interface ReaderOptions extends FieldOptions {
  encoding: TextEncoding;
}

export type Reader = (file: InputFile, options: ReaderOptions, tap: RawByteTap) => AsyncGenerator<InputEvent>;

export function damagedStreamReason(compression: string, after: string, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  const what = compression === 'none' ? 'input' : `${compression} stream`;
  return `${what} is damaged or truncated after ${after} (${detail})`;
}

/**
 * The trace left when bytes after a gzip stream were ignored (see byte-source.ts): one reject, so
 * the run's accounting shows that part of the file was not read as records.
 */
export const TRAILING_GARBAGE_REASON = 'bytes after the end of the gzip stream are not gzip; they were ignored, as gzip -d ignores them, and every record before them was kept';
