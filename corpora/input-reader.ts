/**
 * Reads every resolved input in order and keeps the per-input accounting that
 * the manifest cites: sha256 of the raw bytes, byte and record counts.
 */
import { RawByteTap } from './byte-source.js';
import type { InputEvent } from './document.js';
import { stripGutenberg } from './gutenberg.js';
import { digestFile } from './hashing.js';
import { readJsonArray } from './readers/json-array.js';
import { readJsonl } from './readers/jsonl.js';
import { readParquet } from './readers/parquet.js';
import { readTextFile } from './readers/text.js';
import type { InputFile, InputFormat, Reader, ReaderOptions } from './readers/types.js';

const READERS: Record<InputFormat, Reader> = { jsonl: readJsonl, json: readJsonArray, text: readTextFile, parquet: readParquet };

export interface InputOptions extends ReaderOptions {
  stripGutenberg: boolean;
}

export interface InputStats {
  path: string;
  label: string;
  format: InputFormat;
  bytes: number;
  sha256: string;
  /** Records seen: documents plus rejects. */
  records: number;
  rejected: number;
  /** Lines read (blank ones too), for line-oriented inputs. */
  lines: number;
  /** Set for text files read as something other than UTF-8. */
  decodedAs?: string;
}

export class InputReader {
  readonly stats: InputStats[] = [];
  private readonly taps: RawByteTap[] = [];

  constructor(
    private readonly files: InputFile[],
    private readonly options: InputOptions,
  ) {}

  /** Raw bytes read so far over all inputs, for progress. */
  get bytesRead(): number {
    return this.taps.reduce((sum, tap) => sum + tap.bytes, 0);
  }

  /** Total size of the inputs when every size is known (not stdin). */
  get totalBytes(): number | undefined {
    let total = 0;
    for (const file of this.files) {
      if (file.size === undefined) return undefined;
      total += file.size;
    }
    return total;
  }

  async *events(): AsyncGenerator<InputEvent> {
    for (const file of this.files) {
      const tap = new RawByteTap();
      this.taps.push(tap);
      const stats: InputStats = { path: file.path, label: file.label, format: file.format, bytes: 0, sha256: '', records: 0, rejected: 0, lines: 0 };
      for await (const event of READERS[file.format](file, this.options, tap)) {
        stats.records++;
        if (event.kind === 'reject') stats.rejected++;
        else {
          if (event.origin.decodedAs && event.origin.decodedAs !== 'utf-8') stats.decodedAs = event.origin.decodedAs;
          if (this.options.stripGutenberg) event.doc.text = stripGutenberg(event.doc.text).text;
        }
        yield event;
      }
      // A reader that stopped at damage may not have pulled the whole file through the tap;
      // the manifest must still cite the file's real hash and size.
      stats.lines = tap.lines;
      if (file.range) {
        // Only the range was read; the merge hashes the whole file once every range is done.
        stats.sha256 = tap.sha256();
        stats.bytes = tap.bytes;
      } else if (file.size !== undefined && tap.bytes < file.size) {
        ({ sha256: stats.sha256, bytes: stats.bytes } = await digestFile(file.path));
      } else {
        stats.sha256 = tap.sha256();
        stats.bytes = tap.bytes;
      }
      this.stats.push(stats);
    }
  }
}
