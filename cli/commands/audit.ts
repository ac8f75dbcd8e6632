import { warn } from '../output.js';
import { Command } from 'commander';
import { runAudit } from '../../pipelines/audit.js';
import { addCorpusOptions, readingOptions, type CorpusFlags } from '../common-options.js';
import { progressFor } from '../output.js';
import { parseCount } from '../parse.js';

interface AuditFlags extends CorpusFlags {
  out?: string;
  overwrite: boolean;
  json: boolean;
  passages: number;
}

export function auditCommand(): Command {
  return addCorpusOptions(new Command('audit').description('report the target knowledge a corpus holds, without editing it'))
    .option('-o, --out <dir>', 'write audit.json, audit.md, findings and per-document rows here (else print the report)')
    .option('--overwrite', 'replace a finished audit in the output directory', false)
    .option('--json', 'print the JSON report instead of Markdown', false)
    .option('--passages <n>', 'passages shown per concept', parseCount, 10)
    .action(async (inputs: string[], flags: AuditFlags) => {
      const { report, markdown, outDir } = await runAudit(
        { inputs, pack: flags.pack, out: flags.out, overwrite: flags.overwrite, format: flags.format, reading: readingOptions(flags), detectors: flags.detectors, workers: flags.workers, passages: flags.passages, cacheDir: flags.cacheDir, model: flags.model, onWarning: warn },
        progressFor('audit', flags),
      );
      if (outDir) {
        const at = (name: string) => `${outDir.replace(/\/+$/, '')}/${name}`;
        const { documents, findings } = report;
        if (!flags.quiet) process.stdout.write(`audited ${documents.total} documents: ${documents.withFindings} with findings, ${findings.total} findings, ${findings.suppressed} suppressed\n  report    ${at('audit.md')} (and ${at('audit.json')})\n  findings  ${at('findings.jsonl.gz')}\n  documents ${at('documents.jsonl.gz')}\n`);
      } else process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : markdown);
    });
}
