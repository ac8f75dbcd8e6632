import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { runApply } from '../../pipelines/apply.js';
import type { PolicyOptions, PolicyUnit } from '../../maskers/policy.js';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import { parseChoice, parseCount, parseFraction } from '../parse.js';
import { progressFor, warn, type LogFormat } from '../output.js';
import { printMaskResult } from './mask.js';

interface ApplyFlags {
  out: string;
  unit?: PolicyUnit;
  redact?: boolean;
  placeholder?: string;
  maxFlagged?: number;
  minScore?: number;
  workers?: number;
  overwrite: boolean;
  cacheDir: string;
  failOnLeak: boolean;
  maxLeak?: number;
  quiet: boolean;
  logFormat: LogFormat;
}

export function applyCommand(): Command {
  return new Command('apply')
    .description("decide again under another policy from a finished mask run's stored detections (no detector runs), into a new run")
    .argument('<run-dir>', 'a finished `lacuna mask` run (its inputs must be where the run read them)')
    .requiredOption('-o, --out <dir>', 'output directory of the new run')
    .addOption(new Option('--unit <unit>', "what is removed around a finding (default: the run's)").choices(['sentence', 'paragraph', 'document']))
    .option('--redact', 'write a placeholder instead of deleting')
    .option('--placeholder <text>', 'placeholder for --redact')
    .option('--max-flagged <fraction>', 'drop a document when more than this fraction of its sentences is flagged', parseFraction)
    .option('--min-score <score>', 'act only on findings scoring at least this', parseFraction)
    .option('--workers <n>', 'worker threads (default: the number of cores; 0: the main thread)', parseCount)
    .option('--overwrite', 'replace a finished run in the output directory', false)
    .option('--cache-dir <dir>', 'where distilled embedders, cached embeddings and parsed packs are kept (env LACUNA_CACHE_DIR)', defaultCacheDir())
    .option('--fail-on-leak', 'exit 1 unless verification passes: no residual findings over the run\'s --max-residual and the target text left shown within --max-leak', false)
    .option('--max-leak <fraction>', "largest share of the output that may be target text for verification to pass (default: the run's)", parseFraction)
    .option('-q, --quiet', 'no progress output', false)
    .option('--log-format <format>', 'text, or json lines on stderr for machines', parseChoice(['text', 'json'] as const), 'text')
    .action(async (runDir: string, flags: ApplyFlags) => {
      const policy: Partial<PolicyOptions> = {};
      if (flags.unit !== undefined) policy.unit = flags.unit;
      if (flags.redact !== undefined) policy.redact = flags.redact;
      if (flags.placeholder !== undefined) policy.placeholder = flags.placeholder;
      if (flags.maxFlagged !== undefined) policy.maxFlagged = flags.maxFlagged;
      if (flags.minScore !== undefined) policy.minScore = flags.minScore;
      const result = await runApply({ runDir, out: flags.out, policy, workers: flags.workers ?? availableParallelism(), overwrite: flags.overwrite, cacheDir: flags.cacheDir, maxLeak: flags.maxLeak, onWarning: warn }, progressFor('mask', flags));
      if (result.alreadyComplete && flags.logFormat !== 'json' && !flags.quiet) process.stdout.write(`${flags.out} already holds this run, finished; nothing to do\n`);
      printMaskResult(result, flags);
      if (flags.failOnLeak && !result.verification.passed) process.exitCode = 1;
    });
}
