import { Command, InvalidArgumentError } from 'commander';
import { runDose } from '../../pipelines/dose.js';
import { parseCount } from '../parse.js';

/** A comma-separated list of fractions from 0 to 1, each once, in increasing order. */
function parseLevels(value: string): number[] {
  const levels = value.split(',').map((part) => part.trim());
  const numbers = levels.map(Number);
  if (levels.some((part) => part === '') || numbers.some((level) => !Number.isFinite(level) || level < 0 || level > 1)) throw new InvalidArgumentError('expected fractions from 0 to 1, comma-separated, such as 0,0.001,0.01,0.1');
  return [...new Set(numbers)].sort((a, b) => a - b);
}

export function doseCommand(): Command {
  return new Command('dose')
    .description('a dose ladder: for each level, the run\'s corpus with that fraction of the removed passages put back')
    .argument('<run-dir>', 'a finished `lacuna mask` run (its inputs must be where the run read them)')
    .requiredOption('-o, --out <dir>', 'where to write level-<fraction>/ for each level')
    .option('--levels <list>', 'fractions of the removed passages to put back', parseLevels, [0, 0.001, 0.01, 0.1])
    .option('--seed <n>', 'seed of the choice of passages (levels nest: a higher level restores what a lower one does)', parseCount, 1)
    .option('--overwrite', 'replace a dose ladder written before into the same directory', false)
    .action(async (runDir: string, flags: { out: string; levels: number[]; seed: number; overwrite: boolean }) => {
      const result = await runDose({ runDir, out: flags.out, levels: flags.levels, seed: flags.seed, overwrite: flags.overwrite });
      const lines = [`dose ladder of ${result.removedPassages} removed passages (seed ${flags.seed}):`];
      for (const level of result.levels) lines.push(`  ${String(level.level).padEnd(6)} ${String(level.restoredPassages).padStart(7)} passages (${level.restoredChars} characters) put back, ${level.documents} documents  ${level.dir}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
