/**
 * `lacuna slurm --submit` on a real single-node Slurm cluster (Debian's slurmctld, slurmd and
 * munge, started here in a temporary directory on free ports and stopped by pid): a 4-task
 * array over a real corpus, then the merge job, must give the bytes of a one-process run.
 * .ci/run installs the packages; elsewhere the test skips, saying so, when they are missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSameRun, firstPapers, readManifest, runCli, SHARED, sharedAvailable, tempDir } from './helpers.js';

const DAEMONS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo'];

function which(name: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function slurmInstalled(): boolean {
  const missing = DAEMONS.filter((name) => !which(name));
  if (missing.length === 0) return true;
  if (process.env.CI) throw new Error(`CI is set but ${missing.join(', ')} are missing: .ci/run installs slurmctld slurmd munge with apt-get`);
  console.warn(`SKIPPED: the Slurm job-array test: ${missing.join(', ')} not installed (apt-get install slurmctld slurmd munge)`);
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Cluster {
  env: NodeJS.ProcessEnv;
  stop: () => Promise<void>;
}

/** A one-node cluster in `dir`: munged, slurmctld and slurmd in the foreground, as children of this process. */
async function startCluster(dir: string): Promise<Cluster> {
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
  const key = join(dir, 'munge.key');
  writeFileSync(key, randomBytes(128));
  chmodSync(key, 0o600);
  const socket = join(dir, 'munge.socket');
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const user = userInfo().username;
  const node = hostname();
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=lacunatest',
      `SlurmctldHost=${node}`,
      `SlurmUser=${user}`,
      `SlurmdUser=${user}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      // No cgroups in a container: plain process tracking, no task binding.
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
      `NodeName=${node} CPUs=2 State=UNKNOWN`,
      'PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const daemon = (command: string, args: string[]) => {
    const child = spawn(which(command)!, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', () => undefined);
    children.push(child);
  };
  daemon('munged', ['-F', '--force', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(dir, 'munged.pid')}`, `--log-file=${join(dir, 'munged.log')}`, `--seed-file=${join(dir, 'munged.seed')}`]);
  await waitFor(() => existsSync(socket), 20_000, 'munged did not create its socket');
  daemon('slurmctld', ['-D', '-f', conf]);
  daemon('slurmd', ['-D', '-f', conf]);
  await waitFor(() => spawnSync(which('sinfo')!, ['-h', '-o', '%t'], { env, encoding: 'utf8' }).stdout.trim() === 'idle', 60_000, () => `the node did not become idle: ${tail(join(dir, 'slurmctld.log'))} ${tail(join(dir, 'slurmd.log'))}`);
  const stop = async () => {
    // By pid, the daemons this test started; nothing else on the machine is touched.
    for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => { const timer = setTimeout(() => { child.kill('SIGKILL'); }, 5000); child.once('exit', () => { clearTimeout(timer); resolve(undefined); }); }) : undefined)));
  };
  return { env, stop };
}

function tail(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(-3).join(' | ') : `(no ${path})`;
}

async function waitFor(condition: () => boolean, ms: number, failure: string | (() => string)): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(typeof failure === 'string' ? failure : failure());
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const PAPERS = firstPapers();
const MICHELSON = join(SHARED, 'corpora', 'physics', 'pre1900', 'michelson_morley_relative_motion_aether_1887_pg70888.txt');
const EINSTEIN = join(SHARED, 'corpora', 'physics', 'post1900', 'einstein_relativity_pg5001.txt');

describe.runIf(sharedAvailable('the Slurm job-array test') && slurmInstalled())('lacuna slurm on a one-node Slurm cluster', () => {
  let cluster: Cluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs a 4-task array and its merge job into the bytes of a one-process run, and a resubmission does nothing', async () => {
    cluster = await startCluster(tempDir('lacuna-slurm-'));
    const dir = tempDir();
    // Eight work units: six byte ranges of papers, then each book.
    const job = [PAPERS, MICHELSON, EINSTEIN, '-p', 'physics-post-1900', '--encoding', 'auto', '--unit-bytes', '200KB'];
    const single = join(dir, 'single');
    expect((await runCli(['mask', ...job, '-o', single, '-q', '--workers', '0'])).code).toBe(0);

    const out = join(dir, 'cluster');
    const submitted = await runCli(['slurm', ...job, '-o', out, '--array', '4', '--submit'], { cwd: dir, env: cluster.env });
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/submitted: array job \d+, merge job \d+/);
    const queueEmpty = () => spawnSync(which('squeue')!, ['-h'], { env: cluster!.env, encoding: 'utf8' }).stdout.trim() === '';
    await waitFor(() => queueEmpty(), 180_000, 'the jobs did not finish in 3 minutes');
    const logs = join(`${out}.slurm`, 'logs');
    const logText = readdirSync(logs).sort().map((name) => `${name}: ${readFileSync(join(logs, name), 'utf8')}`).join('\n');
    expect(existsSync(join(out, 'manifest.json')), logText).toBe(true);
    // Four tasks, each one rank of four, then the merge, which ran no unit itself.
    const rankLogs = readdirSync(logs).filter((name) => name.startsWith('mask-'));
    expect(rankLogs).toHaveLength(4);
    const ranks = rankLogs.map((name) => JSON.parse(readFileSync(join(logs, name), 'utf8').trim().split('\n').at(-1)!)).sort((a, b) => a.rank - b.rank);
    expect(ranks.map((rank) => [rank.rank, rank.worldSize])).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);
    expect(ranks.reduce((sum, rank) => sum + rank.ran, 0)).toBe(readManifest(out).work.units);
    expect(readManifest(out).work.unitsRunHere).toBe(0);
    expectSameRun(out, single);

    // Submitting the same job again: every task and the merge find the run finished.
    const manifest = readFileSync(join(out, 'manifest.json'));
    const again = await runCli(['slurm', ...job, '-o', out, '--array', '4', '--submit'], { cwd: dir, env: cluster.env });
    expect(again.code, again.stderr).toBe(0);
    await waitFor(() => queueEmpty(), 180_000, 'the resubmitted jobs did not finish in 3 minutes');
    expect(readFileSync(join(out, 'manifest.json'))).toEqual(manifest);
    const merges = readdirSync(logs).filter((name) => name.startsWith('merge-')).sort();
    expect(merges).toHaveLength(2);
  }, 420_000);
});
