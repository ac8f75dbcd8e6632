import { writeNewFile } from '../../corpora/user-file.js';
import { Command } from 'commander';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
import type { DetectorName } from '../../maskers/detectors/chain.js';
import { leakageMarkdown } from '../../pipelines/leakage-report.js';
import { runVerify } from '../../pipelines/verify.js';
import { parseCount, parseDetectors, parsePositive } from '../parse.js';
import { DEFAULT_INDEX_PARAMETERS } from '../../indexes/vector-index.js';

interface VerifyFlags {
  json: boolean;
  out?: string;
  failOnLeak: boolean;
  maxResidual?: number;
  detectors?: DetectorName[];
  indexM?: number;
  indexEf?: number;
  cacheDir: string;
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description("re-check a mask run: every file's sha256 and count, then leakage by the detectors and by the index")
    .argument('<run-dir>', 'output directory of a finished `lacuna mask` run')
    .option('--json', 'print the report as JSON', false)
    .option('-o, --out <file>', 'also write the JSON report to this new file')
    .option('--fail-on-leak', 'exit 1 when a concept keeps more residual findings than allowed', false)
    .option('--max-residual <n>', 'residual findings a concept may keep (default: the run\'s)', parseCount)
    .option('--detectors <list>', 'detectors to verify with (default: the run\'s)', parseDetectors)
    .option('--index-m <n>', 'HNSW graph degree (default: the run\'s)', parsePositive)
    .option('--index-ef <n>', 'HNSW candidates per query (default: the run\'s)', parsePositive)
    .option('--cache-dir <dir>', 'where distilled embedders and cached embeddings are kept', defaultCacheDir())
    .action(async (runDir: string, flags: VerifyFlags) => {
      const index =
        flags.indexM || flags.indexEf
          ? { m: flags.indexM ?? DEFAULT_INDEX_PARAMETERS.m, efConstruction: Math.max(flags.indexEf ?? 0, DEFAULT_INDEX_PARAMETERS.efConstruction), efSearch: flags.indexEf ?? DEFAULT_INDEX_PARAMETERS.efSearch }
          : undefined;
      const report = await runVerify({ runDir, cacheDir: flags.cacheDir, maxResidual: flags.maxResidual, detectors: flags.detectors, index });
      if (flags.out) await writeNewFile(flags.out, JSON.stringify(report, null, 2) + '\n');
      if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        const summary = { pack: report.pack ?? { id: '', version: '' }, counts: { input: 0, kept: 0, edited: 0, dropped: 0, rejected: 0 }, findingsByConcept: {}, removedCharsByConcept: {}, suppressed: 0 };
        process.stdout.write(leakageMarkdown(summary, report));
      }
      // Altered files are always a failure; leakage is one when asked.
      if (!report.integrity?.passed || (flags.failOnLeak && !report.passed)) process.exitCode = 1;
    });
}
