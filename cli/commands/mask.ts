import { DEFAULT_POLICY } from '../../maskers/policy.js';
import { warn } from '../output.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { runMask, runMaskRank, type MaskOptions, type MaskResult } from '../../pipelines/mask.js';
import { DEFAULT_MAX_LEAK } from '../../pipelines/leak-limit.js';
import { DEFAULT_UNIT_BYTES, rankFrom } from '../../corpora/work-units.js';
import { parseCount, parseFraction, parseGzipLevel, parsePositive, parseSize } from '../parse.js';
import { DEFAULT_INDEX_PARAMETERS } from '../../indexes/vector-index.js';
import { addCorpusOptions, readingOptions, type CorpusFlags } from '../common-options.js';
import { DEFAULT_GZIP_LEVEL } from '../../corpora/writers/jsonl-writer.js';
import { progressFor } from '../output.js';
import type { PolicyUnit } from '../../maskers/policy.js';
import type { OtherLanguagesAction } from '../../maskers/language.js';

interface MaskFlags extends CorpusFlags {
  out: string;
  unit: PolicyUnit;
  redact: boolean;
  placeholder: string;
  maxFlagged: number;
  minScore: number;
  shardBytes: number;
  gzipLevel: number;
  overwrite: boolean;
  strict: boolean;
  otherLanguages: OtherLanguagesAction;
  failOnLeak: boolean;
  maxResidual: number;
  maxLeak: number;
  waive?: string;
  nestMeta: boolean;
  outputFormat: 'jsonl.gz' | 'jsonl.zst' | 'parquet';
  emitAttributes?: string | true;
  indexM: number;
  indexEf: number;
  concepts?: string[];
  rank?: number;
  worldSize?: number;
  unitBytes: number;
  mergeOnly: boolean;
}

export function maskCommand(): Command {
  return addCorpusOptions(new Command('mask').description("mask a corpus: detect the pack's concepts, excise them with provenance, verify the output"))
    .requiredOption('-o, --out <dir>', 'output directory')
    .addOption(new Option('--unit <unit>', 'what is removed around a finding').choices(['sentence', 'paragraph', 'document']).default(DEFAULT_POLICY.unit))
    .option('--redact', 'write a placeholder instead of deleting', false)
    .option('--placeholder <text>', 'placeholder for --redact', DEFAULT_POLICY.placeholder)
    .option('--max-flagged <fraction>', 'drop a document when more than this fraction of its sentences is flagged', parseFraction, DEFAULT_POLICY.maxFlagged)
    .option('--concepts <list>', 'mask only these concepts (comma-separated) and all they imply', (value: string) => value.split(',').map((id) => id.trim()).filter(Boolean))
    .option('--min-score <score>', 'act only on findings scoring at least this (context findings score 0.5, years 0.7)', parseFraction, DEFAULT_POLICY.minScore)
    .option('--shard-bytes <size>', 'start a new corpus shard after this much JSONL', parseSize, 256 * 1024 ** 2)
    .option('--gzip-level <level>', 'gzip level of the outputs, 1 (fastest) to 9 (smallest)', parseGzipLevel, DEFAULT_GZIP_LEVEL)
    .option('--overwrite', 'replace a finished run in the output directory', false)
    .option('--strict', 'stop with exit code 2 at the first rejected record', false)
    .addOption(
      new Option('--other-languages <what>', "a document plainly not in the pack's language: keep (masked as usual; the verdict counts what is left of it as target text) or reject (to rejects.jsonl with the reason)")
        .choices(['keep', 'reject'])
        .default('keep'),
    )
    .option('--fail-on-leak', 'exit 1 unless verification passes: no residual findings over --max-residual and the target text left shown within --max-leak', false)
    .option('--index-m <n>', 'HNSW graph degree of the verification index', parsePositive, DEFAULT_INDEX_PARAMETERS.m)
    .option('--index-ef <n>', 'HNSW candidates per query (and at construction): recall against speed', parsePositive, DEFAULT_INDEX_PARAMETERS.efSearch)
    .option('--max-residual <n>', 'residual findings a concept may keep and still pass verification', parseCount, 0)
    .option('--max-leak <fraction>', "largest share of the output that may be target text, at the top of the estimate's 95% interval (or a labelled sample's), for verification to pass", parseFraction, DEFAULT_MAX_LEAK)
    .option('--emit-attributes [name]', 'also write Dolma attribute files (attributes/<name>/, default name lacuna) for dolma\'s mixer or a datatrove filter', (value: string) => {
      if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new InvalidArgumentError('expected a name of letters, digits, - and _');
      return value;
    })
    .addOption(new Option('--output-format <format>', 'how corpus shards are stored').choices(['jsonl.gz', 'jsonl.zst', 'parquet']).default('jsonl.gz'))
    .option('--nest-meta', 'write each document as {id, text, meta} instead of its input record with the text changed', false)
    .option('--waive <file>', 'reviewed false positives to clear from the verdict: lines of <passage hash><TAB><reason>')
    .option('--rank <i>', 'do only the work units of rank i (0-based) and no merge (default: SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX)', parseCount)
    .option('--world-size <n>', 'number of ranks (default: SLURM_ARRAY_TASK_COUNT)', parsePositive)
    .option('--unit-bytes <size>', 'input bytes per work unit: the unit of parallel work and of resuming; large uncompressed JSONL files are split at line boundaries', parseSize, DEFAULT_UNIT_BYTES)
    .option('--merge-only', 'merge the units the ranks finished; exit 1 naming the ones not done', false)
    .action(async (inputs: string[], flags: MaskFlags, command: Command) => {
      // Each worker runs whole units (reading and writing included), so every core can work.
      const workers = command.getOptionValueSource('workers') === 'default' ? availableParallelism() : flags.workers;
      const options: MaskOptions = {
          inputs,
          pack: flags.pack,
          out: flags.out,
          format: flags.format,
          reading: readingOptions(flags),
          policy: { unit: flags.unit, redact: flags.redact, placeholder: flags.placeholder, maxFlagged: flags.maxFlagged, minScore: flags.minScore },
          detectors: flags.detectors,
          workers,
          shardBytes: flags.shardBytes,
          gzipLevel: flags.gzipLevel,
          overwrite: flags.overwrite,
          strict: flags.strict,
          otherLanguages: flags.otherLanguages,
          maxResidual: flags.maxResidual,
          maxLeak: flags.maxLeak,
          cacheDir: flags.cacheDir,
          model: flags.model,
          concepts: flags.concepts,
          index: { m: flags.indexM, efConstruction: Math.max(flags.indexEf, DEFAULT_INDEX_PARAMETERS.efConstruction), efSearch: flags.indexEf },
          onWarning: warn,
          waiver: flags.waive,
          nestMeta: flags.nestMeta,
          outputFormat: flags.outputFormat,
          emitAttributes: flags.emitAttributes === true ? 'lacuna' : flags.emitAttributes || undefined,
          unitBytes: flags.unitBytes,
          mergeOnly: flags.mergeOnly,
        };
      const rank = rankFrom(flags);
      if (rank) {
        const done = await runMaskRank(options, rank, progressFor('mask', flags));
        const line = done.alreadyComplete
          ? `${flags.out} already holds this run, finished; nothing to do`
          : `rank ${done.rank} of ${done.worldSize}: ${done.ran} work units done, ${done.skipped} already done; ${done.doneUnits} of ${done.totalUnits} units of the run are done${done.doneUnits === done.totalUnits ? ' (run with --merge-only to merge them)' : ''}`;
        if (flags.logFormat === 'json') process.stdout.write(JSON.stringify({ event: 'done', command: 'mask', ...done }) + '\n');
        else if (!flags.quiet) process.stdout.write(line + '\n');
        return;
      }
      const result = await runMask(options, progressFor('mask', flags));
      if (result.alreadyComplete && flags.logFormat !== 'json' && !flags.quiet) process.stdout.write(`${flags.out} already holds this run, finished; nothing to do\n`);
      printMaskResult(result, flags);
      if (result.alreadyComplete) warnOfOtherLimits(result, flags);
      if (flags.failOnLeak && !result.verification.passed) process.exitCode = 1;
    });
}

/**
 * A finished run is not redone for another verification limit (the limits change no byte of a unit,
 * so they are not in the run key): its verdict stands, and `lacuna verify` weighs it against others.
 */
function warnOfOtherLimits(result: MaskResult, flags: MaskFlags): void {
  const config = result.manifest.config as { maxLeak?: number; maxResidual?: number };
  const limits = [
    ['--max-leak', config.maxLeak ?? DEFAULT_MAX_LEAK, flags.maxLeak],
    ['--max-residual', config.maxResidual ?? 0, flags.maxResidual],
  ].filter(([, used, asked]) => used !== asked);
  if (limits.length === 0) return;
  const used = limits.map(([flag, value]) => `${flag} ${value}`).join(' and ');
  const asked = limits.map(([flag, , value]) => `${flag} ${value}`).join(' ');
  warn(`that verdict is the finished run's, verified with ${used}; \`lacuna verify ${flags.out} ${asked}\` weighs it against the new limits`);
}

/** What a mask (or apply) run prints: where everything went and the verdict, or one JSON line. */
export function printMaskResult(result: MaskResult, flags: { logFormat: string; quiet: boolean }): void {
  const { counts } = result.manifest;
  const residual = Object.values(result.verification.concepts).reduce((sum, concept) => sum + concept.lexical + concept.semantic, 0);
  if (flags.logFormat === 'json') {
    const { verdict, estimate } = result.verification;
    process.stdout.write(JSON.stringify({ event: 'done', command: 'mask', counts, otherLanguages: result.manifest.languages?.other ?? {}, verification: { passed: result.verification.passed, status: result.verification.status, residual, verdict, remainingChars: estimate?.remainingChars ?? null }, files: result.files }) + '\n');
  } else if (!flags.quiet) {
    const lines = [
      `masked ${counts.input} records with ${result.manifest.pack.id} ${result.manifest.pack.version}: ${counts.kept} kept, ${counts.edited} edited, ${counts.dropped} dropped, ${counts.rejected} rejected`,
      result.verification.verdict,
      ...otherLanguagesLine(result.manifest),
      `  corpus    ${result.files.corpus}`,
      `  edits     ${result.files.edits}`,
      `  findings  ${result.files.findings}`,
      `  rejects   ${result.files.rejects}`,
      `  manifest  ${result.files.manifest}`,
      `  report    ${result.files.reportHtml} (and ${result.files.reportMarkdown}, ${result.files.report})`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
}

/**
 * A line when some documents are plainly in another language than the pack's: its rules and its
 * classifier read one language, so those documents were not screened in earnest.
 */
function otherLanguagesLine(manifest: MaskResult['manifest']): string[] {
  const other = Object.entries(manifest.languages?.other ?? {});
  if (other.length === 0) return [];
  const documents = other.reduce((sum, [, tally]) => sum + tally.documents, 0);
  const chars = other.reduce((sum, [, tally]) => sum + tally.chars, 0);
  const list = other.map(([language, tally]) => `${language} ${tally.documents}`).join(', ');
  if ((manifest.config as { otherLanguages?: string }).otherLanguages === 'reject') {
    return [`Rejected for their language: ${documents} document(s), ${chars.toLocaleString('en-US')} characters, plainly not in the pack's language (${manifest.languages!.pack}): ${list} (rejects.jsonl; --other-languages reject).`];
  }
  return [`Not screened in earnest: ${documents} document(s), ${chars.toLocaleString('en-US')} characters, are plainly not in the pack's language (${manifest.languages!.pack}): ${list}. Its rules and classifier read ${manifest.languages!.pack} only (manifest.json: languages).`];
}
