/**
 * `lacuna apply <run> --out <dir> [policy options]`: the apply step on its own. Decides again,
 * under another policy, from the detections a finished mask run stored (findings.jsonl.gz and
 * detections.jsonl.gz), reading the same inputs the same way; no detector runs, except the
 * re-detection that verifies the new output. The result is the run a fresh `lacuna mask` with
 * that policy would write, byte for byte (test/apply.test.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../corpora/errors.js';
import type { InputOptions } from '../corpora/input-reader.js';
import type { FormatChoice } from '../corpora/sources.js';
import type { CorpusFormat } from '../corpora/writers/sharded-writer.js';
import type { OutputShape } from '../corpora/document.js';
import type { DetectorName } from '../maskers/detectors/chain.js';
import type { PolicyOptions } from '../maskers/policy.js';
import type { OtherLanguagesAction } from '../maskers/language.js';
import type { IndexParameters } from '../indexes/vector-index.js';
import { runMask, type MaskOptions, type MaskResult } from './mask.js';
import { readManifest } from './replay.js';
import type { ProgressSink } from './runtime/progress.js';

export interface ApplyOptions {
  runDir: string;
  out: string;
  /** The policy options to change; the rest are the run's. */
  policy: Partial<PolicyOptions>;
  workers: number;
  overwrite: boolean;
  cacheDir: string;
  /** Largest share of the output that may be target text (default: the run's). */
  maxLeak?: number;
  onWarning?: (message: string) => void;
}

interface StoredConfig {
  inputArgs?: string[];
  format: FormatChoice;
  reading: InputOptions;
  policy: PolicyOptions;
  shardBytes: number;
  gzipLevel: number;
  model: string;
  index: IndexParameters;
  concepts: string[] | null;
  maxResidual: number;
  /** Absent in runs made before --max-leak: then the default. */
  maxLeak?: number;
  strict: boolean;
  /** Absent in runs made before --other-languages: then keep. */
  otherLanguages?: OtherLanguagesAction;
  emitAttributes: string | null;
  output: OutputShape;
  detectors: DetectorName[];
}

export async function runApply(options: ApplyOptions, progress?: ProgressSink): Promise<MaskResult> {
  const manifest = await readManifest(options.runDir);
  if (manifest.command !== 'mask') throw new UsageError(`'${options.runDir}' holds a ${manifest.command} run, not a mask run`);
  const config = manifest.config as unknown as StoredConfig;
  if (!config.inputArgs || !manifest.work) throw new UsageError(`'${options.runDir}' was made by a Lacuna that did not record its inputs and work units; mask again instead`);
  if (config.inputArgs.includes('-')) throw new UsageError(`'${options.runDir}' read stdin, which cannot be read again`);
  // The run's waiver applies again: the same reviewed false positives, checked by its sha256.
  const waiver = (manifest.verification as { waiver?: { path: string; sha256: string } | null }).waiver ?? undefined;
  if (waiver) {
    const now = await readFile(waiver.path).catch(() => undefined);
    if (!now || createHash('sha256').update(now).digest('hex') !== waiver.sha256) throw new UsageError(`the run's waiver '${waiver.path}' is missing or has changed since the run (sha256)`);
  }
  const mask: MaskOptions = {
    inputs: config.inputArgs,
    // A built-in pack is named by its id, as the run named it.
    pack: manifest.pack.builtin ? manifest.pack.id : manifest.pack.source,
    out: options.out,
    format: config.format,
    reading: config.reading,
    policy: { ...config.policy, ...options.policy },
    detectors: config.detectors,
    workers: options.workers,
    shardBytes: config.shardBytes,
    gzipLevel: config.gzipLevel,
    overwrite: options.overwrite,
    strict: config.strict,
    otherLanguages: config.otherLanguages,
    maxResidual: config.maxResidual,
    maxLeak: options.maxLeak ?? config.maxLeak,
    cacheDir: options.cacheDir,
    model: config.model,
    index: config.index,
    concepts: config.concepts ?? undefined,
    onWarning: options.onWarning,
    emitAttributes: config.emitAttributes ?? undefined,
    nestMeta: config.output.nestMeta,
    outputFormat: config.output.format as CorpusFormat,
    unitBytes: manifest.work.unitBytes,
    appliedFrom: options.runDir,
    waiver: waiver?.path,
  };
  return runMask(mask, progress);
}
