/**
 * `lacuna slurm`: a `lacuna mask` job as a Slurm job array (one task per rank; each task reads
 * its rank from SLURM_ARRAY_TASK_ID and the world size from SLURM_ARRAY_TASK_COUNT) and a merge
 * job that runs once every task has succeeded (`--dependency=afterok`). The merge is
 * `lacuna mask … --merge-only`: it fails, naming the missing units, if a task did not finish, and
 * resubmitting the same job redoes only the units not done.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { UsageError } from '../corpora/errors.js';
import { PACKAGE_ROOT } from '../corpora/package-info.js';
import { environmentError, errnoMessage, writeNewFile } from '../corpora/user-file.js';

export interface SlurmOptions {
  /** The `lacuna mask` arguments, as given (inputs, pack, --out and options). */
  maskArgs: string[];
  /** Tasks in the array: the world size. */
  array: number;
  /** Where the scripts and the jobs' logs go. */
  scriptDir: string;
  /** CPUs per task; each task runs this many worker threads. */
  cpusPerTask: number;
  /** Extra `#SBATCH` lines for both jobs (partition, time, memory, account...), without the prefix. */
  sbatch: string[];
  /** The directory the jobs run in, so relative paths mean what they meant here. */
  workingDir: string;
}

export interface SlurmScripts {
  array: string;
  merge: string;
}

/** A word for bash, quoted when it needs to be. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that runs this very Lacuna (the same node, the same build), wherever the job lands. */
function lacunaCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  // Under the TypeScript sources (tests), the built CLI is the one to run.
  const cli = here.endsWith('.ts') ? join(PACKAGE_ROOT, 'dist', 'cli', 'main.js') : resolve(here, '..', '..', 'cli', 'main.js');
  return [process.execPath, cli];
}

export function slurmScripts(options: SlurmOptions): SlurmScripts {
  const logs = join(options.scriptDir, 'logs');
  const command = [...lacunaCommand(), 'mask', ...options.maskArgs].map(shellQuote).join(' ');
  const header = (name: string, output: string, extra: string[]) =>
    ['#!/bin/bash', `#SBATCH --job-name=${name}`, `#SBATCH --chdir=${shellQuote(options.workingDir)}`, `#SBATCH --output=${shellQuote(join(logs, output))}`, ...extra, ...options.sbatch.map((line) => `#SBATCH ${line}`), '# Written by lacuna slurm. Resubmitting it redoes only the work units not done.', 'set -euo pipefail'].join('\n');
  const array = `${header('lacuna-mask', 'mask-%A_%a.log', [`#SBATCH --array=0-${options.array - 1}`, `#SBATCH --cpus-per-task=${options.cpusPerTask}`])}
# Each task is one rank: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT name it.
exec ${command} --workers "\${SLURM_CPUS_PER_TASK:-1}" --log-format json
`;
  const merge = `${header('lacuna-merge', 'merge-%j.log', ['#SBATCH --cpus-per-task=1'])}
# Runs after every task succeeded; fails, naming them, if some work units are not done.
exec ${command} --merge-only --log-format json
`;
  return { array, merge };
}

/** Writes a script, or finds it already there with the same bytes (a resubmission); never replaces another file. */
async function writeScript(path: string, content: string): Promise<void> {
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read '${path}': ${errnoMessage(error)}`);
  });
  if (existing === content) return;
  if (existing !== undefined) throw new UsageError(`'${path}' exists and is not this job's script; choose another --script-dir or remove it`);
  await writeNewFile(path, content);
}

export interface SlurmResult {
  arrayScript: string;
  mergeScript: string;
  /** Job ids, when submitted. */
  arrayJob?: string;
  mergeJob?: string;
}

async function sbatch(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('sbatch', ['--parsable', ...args]);
    // --parsable prints "jobid" or "jobid;cluster".
    return stdout.trim().split(';')[0];
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new UsageError('sbatch is not on PATH: run lacuna slurm --submit on a Slurm login node, or submit the written scripts yourself');
    throw new UsageError(`sbatch failed: ${(failure.stderr ?? failure.message).trim().split('\n')[0]}`);
  }
}

export async function runSlurm(options: SlurmOptions, submit: boolean): Promise<SlurmResult> {
  const scripts = slurmScripts(options);
  try {
    await mkdir(join(options.scriptDir, 'logs'), { recursive: true });
  } catch (error) {
    throw environmentError(error, 'create', options.scriptDir);
  }
  const arrayScript = join(options.scriptDir, 'mask.sbatch');
  const mergeScript = join(options.scriptDir, 'merge.sbatch');
  await writeScript(arrayScript, scripts.array);
  await writeScript(mergeScript, scripts.merge);
  if (!submit) return { arrayScript, mergeScript };
  const arrayJob = await sbatch([arrayScript]);
  const mergeJob = await sbatch([`--dependency=afterok:${arrayJob}`, mergeScript]);
  return { arrayScript, mergeScript, arrayJob, mergeJob };
}
