import { Command } from 'commander';
import { runReplay } from '../../pipelines/replay.js';

export function replayCommand(): Command {
  return new Command('replay')
    .description('re-apply a run\'s edit log to its inputs and check the result is its corpus, byte for byte')
    .argument('<run-dir>', 'output directory of a finished `lacuna mask` run')
    .option('--write <file>', 'also write the replayed corpus to this .jsonl.gz file')
    .action(async (runDir: string, flags: { write?: string }) => {
      const result = await runReplay({ runDir, write: flags.write });
      const lines = [`replayed ${result.documents} documents: ${result.identical} identical to the corpus, ${result.dropped} dropped as logged, ${result.mismatchCount} mismatched`];
      for (const input of result.changedInputs) lines.push(`  input changed since the run (sha256 differs): ${input}`);
      for (const mismatch of result.mismatches) lines.push(`  ${mismatch.id}: ${mismatch.reason}`);
      if (result.mismatchCount > result.mismatches.length) lines.push(`  … and ${result.mismatchCount - result.mismatches.length} more`);
      process.stdout.write(lines.join('\n') + '\n');
      if (result.mismatchCount > 0 || result.changedInputs.length > 0) process.exitCode = 1;
    });
}
