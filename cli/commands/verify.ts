import { UsageError } from '../../corpora/errors.js';
import { verifyAnyCorpus } from '../../pipelines/verify-corpus.js';
import { DEFAULT_WORKERS } from '../../pipelines/runtime/batches.js';
import { progressFor, warn } from '../output.js';
import { writeNewFile } from '../../corpora/user-file.js';
import { Command } from 'commander';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import type { DetectorName } from '../../maskers/detectors/chain.js';
import { leakageMarkdown } from '../../pipelines/leakage-report.js';
import { runSample, runVerify, withoutTimings, type VerificationReport } from '../../pipelines/verify.js';
import { renderReportHtml } from '../../pipelines/report-html.js';
import { parseCount, parseDetectors, parseFieldPath, parseFraction, parsePositive } from '../parse.js';
import { DEFAULT_MAX_LEAK } from '../../pipelines/leak-limit.js';
import { DEFAULT_INDEX_PARAMETERS } from '../../indexes/vector-index.js';

interface VerifyFlags {
  json: boolean;
  out?: string;
  failOnLeak: boolean;
  maxResidual?: number;
  maxLeak?: number;
  detectors?: DetectorName[];
  indexM?: number;
  indexEf?: number;
  cacheDir: string;
  waive?: string;
  sample?: number;
  seed: number;
  labels?: string;
  pack?: string;
  stripGutenberg: boolean;
  contextField?: string;
  html?: string;
  probes?: string;
}

function htmlOf(report: VerificationReport): string {
  const { identity, collateral, ...verification } = report;
  return renderReportHtml({ identity: identity!, summary: report.run ?? { pack: report.pack! }, verification: withoutTimings(verification as VerificationReport), collateral });
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description("re-check a mask run: every file's sha256 and count, then leakage by the detectors and by the index")
    .argument('<paths...>', 'output directory of a finished `lacuna mask` run; with --pack, the files and directories of any corpus')
    .option('-p, --pack <id|file>', 'verify a corpus Lacuna did not make, with this pack: what its detectors find and the target text estimated in it')
    .option('--strip-gutenberg', 'with --pack: remove Project Gutenberg headers and footers', false)
    .option('--context-field <path>', 'with --pack: records one after another with the same value of this dotted field are detected together, as `lacuna mask --context-field` detects them (a run records its own)', parseFieldPath)
    .option('--json', 'print the report as JSON', false)
    .option('-o, --out <file>', 'also write the JSON report to this new file')
    .option('--fail-on-leak', 'exit 1 unless verification passes: no residual findings over --max-residual and the target text left shown within --max-leak', false)
    .option('--max-residual <n>', 'residual findings a concept may keep (default: the run\'s)', parseCount)
    .option('--max-leak <fraction>', `largest share of the output that may be target text, at the top of the estimate's 95% interval (or a labelled sample's), for verification to pass (default: the run's; with --pack, ${DEFAULT_MAX_LEAK} of the corpus)`, parseFraction)
    .option('--detectors <list>', 'detectors to verify with (default: the run\'s)', parseDetectors)
    .option('--index-m <n>', 'HNSW graph degree (default: the run\'s)', parsePositive)
    .option('--index-ef <n>', 'HNSW candidates per query (default: the run\'s)', parsePositive)
    .option('--cache-dir <dir>', 'where distilled embedders and cached embeddings are kept', defaultCacheDir())
    .option('--waive <file>', 'reviewed false positives to clear from the verdict: lines of <passage hash><TAB><reason>')
    .option('--sample <n>', 'instead of verifying, draw n passages from each stratum (kept/removed × score band) for a person to label: TSV to --out, or stdout', parsePositive)
    .option('--seed <n>', 'seed of the sample', parseCount, 1)
    .option('--labels <file>', 'a labelled sample: measure leakage and collateral damage from it, with Wilson intervals')
    .option('--html <file>', 'also write the report as one self-contained HTML file (a new file)')
    .option('--probes <dir>', 'show the probes of `lacuna probes build --corpus <run-dir>` in the report')
    .action(async (paths: string[], flags: VerifyFlags) => {
      if (flags.pack) {
        const report = await verifyAnyCorpus({ inputs: paths, pack: flags.pack, format: 'auto', reading: { textField: 'text', idField: 'id', ...(flags.contextField ? { contextField: flags.contextField } : {}), encoding: 'auto', stripGutenberg: flags.stripGutenberg }, workers: DEFAULT_WORKERS, cacheDir: flags.cacheDir, maxLeak: flags.maxLeak, onWarning: warn }, progressFor('verify', { quiet: false, logFormat: 'text' }));
        if (flags.out) await writeNewFile(flags.out, JSON.stringify(report, null, 2) + '\n');
        if (flags.html) await writeNewFile(flags.html, htmlOf(report));
        process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : leakageMarkdown(report.run ?? { pack: report.pack! }, report));
        if (flags.failOnLeak && !report.passed) process.exitCode = 1;
        return;
      }
      if (flags.contextField) throw new UsageError('--context-field goes with --pack: a mask run is re-detected with the context field it was masked with (its manifest records it)');
      if (paths.length !== 1) throw new UsageError('give one run directory, or --pack with the files and directories of a corpus');
      const runDir = paths[0];
      if (flags.sample !== undefined) {
        const { tsv, strata } = await runSample(runDir, flags.sample, flags.seed);
        if (flags.out) await writeNewFile(flags.out, tsv);
        else process.stdout.write(tsv);
        const summary = strata.map((stratum) => `  ${stratum.side.padEnd(7)} ${stratum.band.padEnd(32)} ${String(stratum.sampled).padStart(4)} of ${stratum.passages}`).join('\n');
        process.stderr.write(`sampled ${strata.reduce((sum, stratum) => sum + stratum.sampled, 0)} passages (seed ${flags.seed}); label each 1 (target knowledge) or 0, then run lacuna verify ${runDir} --labels <file>\n${summary}\n`);
        return;
      }
      const index =
        flags.indexM || flags.indexEf
          ? { m: flags.indexM ?? DEFAULT_INDEX_PARAMETERS.m, efConstruction: Math.max(flags.indexEf ?? 0, DEFAULT_INDEX_PARAMETERS.efConstruction), efSearch: flags.indexEf ?? DEFAULT_INDEX_PARAMETERS.efSearch }
          : undefined;
      const report = await runVerify({ runDir, cacheDir: flags.cacheDir, maxResidual: flags.maxResidual, maxLeak: flags.maxLeak, detectors: flags.detectors, index, waiver: flags.waive, labels: flags.labels, probes: flags.probes });
      if (flags.out) await writeNewFile(flags.out, JSON.stringify(report, null, 2) + '\n');
      if (flags.html) await writeNewFile(flags.html, htmlOf(report));
      if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        process.stdout.write(leakageMarkdown(report.run ?? { pack: report.pack ?? { id: '', version: '' } }, report));
      }
      // Altered files are always a failure; leakage is one when asked.
      if (!report.integrity?.passed || (flags.failOnLeak && !report.passed)) process.exitCode = 1;
    });
}
