import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../../corpora/errors.js';
import { runSlurm } from '../../pipelines/slurm.js';
import { parsePositive } from '../parse.js';
import { maskCommand } from './mask.js';

interface SlurmFlags {
  array?: number;
  submit: boolean;
  scriptDir?: string;
  cpusPerTask: number;
  sbatch: string[];
}

/** lacuna slurm's own options; everything else is `lacuna mask`'s. */
const OWN_OPTIONS: Record<string, { takesValue: boolean; apply: (flags: SlurmFlags, value: string) => void }> = {
  '--array': { takesValue: true, apply: (flags, value) => (flags.array = positive('--array', value)) },
  '--submit': { takesValue: false, apply: (flags) => (flags.submit = true) },
  '--script-dir': { takesValue: true, apply: (flags, value) => (flags.scriptDir = value) },
  '--cpus-per-task': { takesValue: true, apply: (flags, value) => (flags.cpusPerTask = positive('--cpus-per-task', value)) },
  '--sbatch': { takesValue: true, apply: (flags, value) => flags.sbatch.push(value) },
};

function positive(name: string, value: string): number {
  try {
    return parsePositive(value);
  } catch (error) {
    throw new UsageError(`option '${name} <n>' argument '${value}' is invalid. ${(error as InvalidArgumentError).message}`);
  }
}

/** Splits the words after `slurm` into lacuna slurm's options and the mask job's arguments. */
export function splitSlurmArgs(words: string[]): { flags: SlurmFlags; maskArgs: string[] } {
  const flags: SlurmFlags = { submit: false, cpusPerTask: 1, sbatch: [] };
  const maskArgs: string[] = [];
  for (let at = 0; at < words.length; at++) {
    const [name, inline] = words[at].startsWith('--') && words[at].includes('=') ? [words[at].slice(0, words[at].indexOf('=')), words[at].slice(words[at].indexOf('=') + 1)] : [words[at], undefined];
    const own = OWN_OPTIONS[name];
    if (!own) {
      maskArgs.push(words[at]);
      continue;
    }
    if (!own.takesValue) {
      own.apply(flags, '');
      continue;
    }
    const value = inline ?? words[++at];
    if (value === undefined) throw new UsageError(`option '${name}' needs a value`);
    own.apply(flags, value);
  }
  for (const forbidden of ['--rank', '--world-size', '--merge-only']) {
    if (maskArgs.some((word) => word === forbidden || word.startsWith(`${forbidden}=`))) throw new UsageError(`${forbidden} is set by lacuna slurm for each job; leave it out`);
  }
  return { flags, maskArgs };
}

export function slurmCommand(): Command {
  return new Command('slurm')
    .description('write (and with --submit, submit) a Slurm job array that masks a corpus rank by rank, and a merge job that runs after it')
    .usage('<mask arguments...> --array <n> [--submit] [options]')
    .option('--array <n>', 'tasks in the job array (ranks); required')
    .option('--submit', 'submit both jobs with sbatch (the merge waits for every task: --dependency=afterok)')
    .option('--script-dir <dir>', 'where mask.sbatch, merge.sbatch and the jobs\' logs go (default: <out>.slurm)')
    .option('--cpus-per-task <n>', 'CPUs (worker threads) per task', '1')
    .option('--sbatch <option>', 'an extra #SBATCH option for both jobs, such as --partition=cpu or --time=4:00:00 (repeatable)')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpCommand(false)
    .action(async () => {
      // Commander cannot tell mask's options from ours here: the words are split by hand, then
      // the mask arguments are parsed by mask's own definition so that a mistake is caught now.
      const argv = process.argv.slice(2);
      const words = argv.slice(argv.indexOf('slurm') + 1);
      const { flags, maskArgs } = splitSlurmArgs(words);
      if (flags.array === undefined) throw new UsageError("required option '--array <n>' not specified");
      let out = '';
      const check = maskCommand();
      check.exitOverride().configureOutput({ writeErr: (message) => process.stderr.write(`lacuna: ${message.replace(/^error: /, '')}`) });
      check.action((_inputs: string[], maskFlags: { out: string }) => {
        out = maskFlags.out;
      });
      await check.parseAsync(maskArgs, { from: 'user' });
      const scriptDir = resolve(flags.scriptDir ?? `${out.replace(/\/+$/, '')}.slurm`);
      const result = await runSlurm({ maskArgs, array: flags.array, scriptDir, cpusPerTask: flags.cpusPerTask, sbatch: flags.sbatch, workingDir: process.cwd() }, flags.submit);
      const lines = [`job array of ${flags.array} tasks: ${result.arrayScript}`, `merge job:                ${result.mergeScript}`];
      if (result.arrayJob) lines.push(`submitted: array job ${result.arrayJob}, merge job ${result.mergeJob} (runs after every task succeeds)`);
      else lines.push(`submit with: sbatch --parsable ${result.arrayScript}, then sbatch --dependency=afterok:<that job id> ${result.mergeScript} (or rerun with --submit)`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
