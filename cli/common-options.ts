/** Options that every command reading a corpus shares, declared once. */
import { Command, Option } from 'commander';
import type { InputOptions } from '../corpora/input-reader.js';
import type { TextEncoding } from '../corpora/readers/types.js';
import type { FormatChoice } from '../corpora/sources.js';
import { DEFAULT_DETECTORS, DETECTOR_NAMES, type DetectorName } from '../maskers/detectors/chain.js';
import { DEFAULT_WORKERS } from '../pipelines/runtime/batches.js';
import { defaultCacheDir } from '../indexes/cache-dir.js';
import { DEFAULT_MODEL } from '../indexes/semantic-models.js';
import type { LogFormat } from './output.js';
import { parseChoice, parseCount, parseDetectors, parseFieldPath } from './parse.js';

export interface CorpusFlags {
  pack: string;
  textField: string;
  idField: string;
  contextField?: string;
  format: FormatChoice;
  encoding: TextEncoding;
  stripGutenberg: boolean;
  detectors: DetectorName[];
  workers: number;
  cacheDir: string;
  model: string;
  quiet: boolean;
  logFormat: LogFormat;
}

export function addCorpusOptions(command: Command): Command {
  return command
    .argument('<inputs...>', 'JSONL (.gz/.zst), JSON arrays, .txt/.md files, directories of them, or - for stdin')
    .requiredOption('-p, --pack <id|file>', 'concept pack: a built-in id (see `lacuna packs list`) or a .yaml/.json file')
    .option('--text-field <path>', 'dotted path of the text in each JSON record', parseFieldPath, 'text')
    .option('--id-field <path>', 'dotted path of the id in each JSON record', parseFieldPath, 'id')
    .option('--context-field <path>', 'dotted path of a field (a book, an article, a thread) whose records, one after another with the same value, are judged together as the one text they form (mask: detected and decided as that text; each record keeps, loses or drops its own part of it)', parseFieldPath)
    .addOption(new Option('--format <format>', 'input format (auto: from file names)').choices(['auto', 'jsonl', 'json', 'parquet', 'text']).default('auto'))
    .addOption(new Option('--encoding <encoding>', 'text files: utf-8 (reject anything else), latin1 (Windows-1252), or auto (UTF-8, else Windows-1252)').choices(['utf-8', 'latin1', 'auto']).default('utf-8'))
    .option('--strip-gutenberg', 'remove Project Gutenberg headers and footers', false)
    .option('--detectors <list>', `detectors to run, comma-separated (${DETECTOR_NAMES.join(', ')}; semantic is off by default: it runs at tens of sentences a second)`, parseDetectors, [...DEFAULT_DETECTORS])
    .option('--workers <n>', 'worker threads (0: work on the main thread)', parseCount, DEFAULT_WORKERS)
    .option('--model <model>', 'encoder of the semantic detector: use-lite (built in, offline), hf:<repo> or a model directory', DEFAULT_MODEL)
    .option('--cache-dir <dir>', 'where distilled embedders, cached embeddings and parsed packs are kept (env LACUNA_CACHE_DIR)', defaultCacheDir())
    .option('-q, --quiet', 'no progress output', false)
    .option('--log-format <format>', 'text, or json lines on stderr for machines', parseChoice(['text', 'json'] as const), 'text');
}

export function readingOptions(flags: CorpusFlags): InputOptions {
  // Only when set, so a run without it reads (and keys) as before.
  return { textField: flags.textField, idField: flags.idField, ...(flags.contextField ? { contextField: flags.contextField } : {}), encoding: flags.encoding, stripGutenberg: flags.stripGutenberg };
}
