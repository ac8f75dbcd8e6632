/**
 * Corpus scale (issue 12): work units, ranks, resuming after kill -9, and the merge. Every way of
 * running the same job (one thread, worker threads, four ranks, ranks from Slurm's or
 * Kubernetes' environment, a run killed at any point and rerun) must give the same bytes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { rankFrom, unitsOfRank, planUnits } from '../corpora/work-units.js';
import { JsonlWriter } from '../corpora/writers/jsonl-writer.js';
import { renumberLogs } from '../pipelines/mask-merge.js';
import { CLI, expectSameRun, firstPapers, readJsonlFile, readManifest, ROOT, runCli, SHARED, sharedAvailable, tempDir } from './helpers.js';

const PAPERS = firstPapers();
const ABSTRACTS = join(SHARED, 'corpora', 'mixed', 'arxiv_0704_first100_abstracts.jsonl');
const MICHELSON = join(SHARED, 'corpora', 'physics', 'pre1900', 'michelson_morley_relative_motion_aether_1887_pg70888.txt');

/** 1.2 MB of papers cut into 8 byte ranges, then whole files of two kinds sharing a ninth unit. */
const UNIT = '150KB';
const JOB = [PAPERS, ABSTRACTS, MICHELSON, '-p', 'physics-post-1900', '--encoding', 'auto', '--unit-bytes', UNIT, '-q'];

async function mask(out: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return runCli(['mask', ...JOB, '-o', out, ...extra], { env });
}

describe.runIf(sharedAvailable('work units, ranks and resume'))('work units, ranks and resume on real texts', () => {
  let baseline = '';
  const baselineRun = async () => {
    if (baseline) return baseline;
    baseline = join(tempDir(), 'baseline');
    const result = await mask(baseline, ['--workers', '0']);
    expect(result.code, result.stderr).toBe(0);
    return baseline;
  };

  it('cuts the job into units that cover every input record exactly once', async () => {
    const out = await baselineRun();
    const manifest = readManifest(out);
    expect(manifest.work.units).toBe(9);
    const papers = manifest.inputs.find((input: { label: string }) => input.label.startsWith('unarxive'));
    // The ranges tile the file: each starts where the last ended, the last at its end.
    expect(papers.ranges.length).toBe(8);
    papers.ranges.forEach(([start]: [number, number], at: number) => expect(start).toBe(at === 0 ? 0 : papers.ranges[at - 1][1]));
    expect(papers.ranges.at(-1)[1]).toBe(statSync(PAPERS).size);
    const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line.trim()).length;
    expect(papers.records).toBe(lines(PAPERS));
    expect(manifest.counts.input).toBe(lines(PAPERS) + lines(ABSTRACTS) + 1);
    // The sha256 cited is the whole file's, though it was read in ranges.
    expect(papers.sha256).toBe(createHash('sha256').update(readFileSync(PAPERS)).digest('hex'));
    const replay = await runCli(['replay', out]);
    expect(replay.stdout).toMatch(/0 mismatched/);
    expect(replay.code).toBe(0);
  });

  it('gives the same bytes from one thread, two worker threads, and four ranks merged', async () => {
    const base = await baselineRun();
    const threads = join(tempDir(), 'threads');
    expect((await mask(threads, ['--workers', '2'])).code).toBe(0);
    expectSameRun(threads, base);

    const ranks = join(tempDir(), 'ranks');
    const results = await Promise.all([0, 1, 2, 3].map((rank) => mask(ranks, ['--rank', String(rank), '--world-size', '4', '--workers', '1'])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(ranks, 'manifest.json'))).toBe(false);
    const merged = await mask(ranks, ['--merge-only']);
    expect(merged.code, merged.stderr).toBe(0);
    expectSameRun(ranks, base);
    expect(readManifest(ranks).work.unitsRunHere).toBe(0);
  });

  it('takes ranks from Slurm and Kubernetes environments', async () => {
    const base = await baselineRun();
    const out = join(tempDir(), 'env');
    // A Slurm array 1-2 (SLURM_ARRAY_TASK_MIN 1): ranks 0 and 1 of 3; a Kubernetes index gives rank 2.
    for (const task of ['1', '2']) {
      const result = await mask(out, [], { SLURM_ARRAY_TASK_ID: task, SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' });
      expect(result.code, result.stderr).toBe(0);
    }
    const missing = await mask(out, ['--merge-only']);
    expect(missing.code).toBe(1);
    // Units 2, 5 and 8 are rank 2's.
    expect(missing.stderr).toMatch(/3 of 9 work units are not done \(2, 5, 8\)/);
    const k8s = await mask(out, ['--world-size', '3'], { JOB_COMPLETION_INDEX: '2' });
    expect(k8s.code, k8s.stderr).toBe(0);
    expect((await mask(out, ['--merge-only'])).code).toBe(0);
    expectSameRun(out, base);
  });

  it("runs the README's Kubernetes Indexed Job as written: every completion index, then its merge, equal one process", async () => {
    // The recipe as the README gives it: the Job's container command once per completion index,
    // with JOB_COMPLETION_INDEX as Kubernetes sets it, then the merge command the README names.
    // Only the volume's paths are mapped to a scratch directory; the cluster itself is not here.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Kubernetes.**'));
    const job = parseYaml(/```yaml\n([\s\S]*?)```/.exec(section)![1]);
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const command: string[] = job.spec.template.spec.containers[0].command;
    expect(command.slice(0, 2)).toEqual(['lacuna', 'mask']);
    expect(Number(command[command.indexOf('--world-size') + 1])).toBe(job.spec.completions);
    const merge = /`(lacuna mask [^`]*--merge-only)`/.exec(section)![1].split(' ');

    const data = tempDir();
    mkdirSync(join(data, 'shards'));
    for (const file of [PAPERS, ABSTRACTS]) symlinkSync(file, join(data, 'shards', file.split('/').pop()!));
    // 1.3 MB of shards would be one work unit at the default unit size; --unit-bytes, given to every
    // command alike, scales the job down so that the 16 pods share several units, as they would 100 GB.
    const onVolume = (args: string[]) => [...args.slice(2).map((arg) => arg.replace(/^\/data\//, `${data}/`)), '--unit-bytes', UNIT];
    // Four pods at a time on two cores (the Job allows 16).
    const batch = 4;
    for (let index = 0; index < job.spec.completions; index += batch) {
      const pods = Array.from({ length: Math.min(batch, job.spec.completions - index) }, (_, at) => runCli(['mask', ...onVolume(command), '-q'], { env: { JOB_COMPLETION_INDEX: String(index + at) } }));
      for (const pod of await Promise.all(pods)) expect(pod.code, pod.stderr).toBe(0);
    }
    const merged = await runCli(['mask', ...onVolume(merge), '-q']);
    expect(merged.code, merged.stderr).toBe(0);
    const single = join(data, 'single');
    const one = await runCli(['mask', join(data, 'shards') + '/', '-p', 'physics-post-1900', '-o', single, '--unit-bytes', UNIT, '-q']);
    expect(one.code, one.stderr).toBe(0);
    expectSameRun(join(data, 'masked'), single);
    // The pods did the work: the merge ran none of the units.
    const work = readManifest(join(data, 'masked')).work;
    expect(work.units).toBeGreaterThanOrEqual(2);
    expect(work.unitsRunHere).toBe(0);
  });

  for (const point of ['unit-after-first-batch', 'unit-before-rename', 'merge-after-corpus', 'before-verify', 'commit-after-moves', 'after-manifest']) {
    it(`killed with SIGKILL at ${point}, then rerun, gives the same bytes`, async () => {
      const base = await baselineRun();
      const out = join(tempDir(), point);
      const killed = await mask(out, ['--workers', '2'], { LACUNA_FAILPOINT: point });
      expect(killed.code).toBe(null);
      const rerun = await mask(out, ['--workers', '2']);
      expect(rerun.code, rerun.stderr).toBe(0);
      // Nothing left over: no work area, staging, lock or commit journal.
      expectSameRun(out, base);
    });
  }

  it('killed at an arbitrary moment while units are being written, then rerun, gives the same bytes', async () => {
    const base = await baselineRun();
    const out = join(tempDir(), 'timed');
    const child = spawn(process.execPath, [CLI, 'mask', ...JOB, '-o', out, '--workers', '1'], { stdio: 'ignore' });
    // Killed as soon as the first unit is finished: the rest are in progress or not started.
    const work = join(out, '.lacuna-work');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const keys = existsSync(work) ? readdirSync(work) : [];
        const done = keys.flatMap((key) => readdirSync(join(work, key)).filter((name) => /^unit-\d+$/.test(name)));
        if (done.length > 0 || child.exitCode !== null) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => child.once('close', resolve));
    const rerun = await mask(out, ['--workers', '1']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expectSameRun(out, base);
  });

  it('does nothing on a rerun after completion, and says so', async () => {
    const base = await baselineRun();
    const before = readFileSync(join(base, 'manifest.json'));
    const mtime = statSync(join(base, 'manifest.json')).mtimeMs;
    const rerun = await runCli(['mask', ...JOB.filter((flag) => flag !== '-q'), '-o', base, '--workers', '0']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/already holds this run, finished; nothing to do/);
    expect(readFileSync(join(base, 'manifest.json'))).toEqual(before);
    expect(statSync(join(base, 'manifest.json')).mtimeMs).toBe(mtime);
    // A rank of a finished run has nothing to do either.
    const rank = await runCli(['mask', ...JOB.filter((flag) => flag !== '-q'), '-o', base, '--rank', '0', '--world-size', '2']);
    expect(rank.stdout).toMatch(/nothing to do/);
    // Another configuration into the same directory is a different run: refused without --overwrite.
    const other = await mask(base, ['--unit', 'paragraph']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/already holds a finished run; pass --overwrite/);
  });
});

describe('byte ranges of one JSONL file', () => {
  it('number rejected lines in the whole file and keep every record, however the file is cut', async () => {
    const dir = tempDir();
    const input = join(dir, 'records.jsonl');
    const lines: string[] = [];
    for (let at = 1; at <= 3000; at++) {
      if (at % 250 === 0) lines.push(`{"id": "broken-${at}", "text": `);
      else if (at % 333 === 0) lines.push('');
      else lines.push(JSON.stringify({ id: `r${at}`, text: `Record ${at} is about ${at % 7 === 0 ? 'the photoelectric effect and Einstein in 1905' : 'the refraction of light in glass'}.` }));
    }
    writeFileSync(input, lines.join('\n'));
    const whole = join(dir, 'whole');
    const cut = join(dir, 'cut');
    expect((await runCli(['mask', input, '-p', 'physics-post-1900', '-o', whole, '-q'])).code).toBe(0);
    expect((await runCli(['mask', input, '-p', 'physics-post-1900', '-o', cut, '-q', '--unit-bytes', '7KB'])).code).toBe(0);
    expect(readManifest(cut).work.units).toBeGreaterThan(20);
    expect(readFileSync(join(cut, 'rejects.jsonl'), 'utf8')).toBe(readFileSync(join(whole, 'rejects.jsonl'), 'utf8'));
    expect(readJsonlFile(join(cut, 'rejects.jsonl')).map((reject) => reject.line)).toEqual([250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250, 2500, 2750, 3000]);
    expect(readJsonlFile(join(cut, 'edits.jsonl.gz'))).toEqual(readJsonlFile(join(whole, 'edits.jsonl.gz')));
    expect(readManifest(cut).counts).toEqual(readManifest(whole).counts);
    expect(readManifest(cut).counts.input).toBe(3000 - 9);
  });
});

describe('ranks', () => {
  it('come from flags, Slurm arrays or Kubernetes indexed jobs, and bad ones are refused in one line', () => {
    expect(rankFrom({}, {})).toBeUndefined();
    expect(rankFrom({ rank: 2, worldSize: 4 }, {})).toEqual({ rank: 2, worldSize: 4 });
    expect(rankFrom({}, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ rank: 3, worldSize: 4 });
    expect(rankFrom({}, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ rank: 3, worldSize: 4 });
    expect(rankFrom({ worldSize: 5 }, { JOB_COMPLETION_INDEX: '4' })).toEqual({ rank: 4, worldSize: 5 });
    expect(() => rankFrom({}, { JOB_COMPLETION_INDEX: '1' })).toThrow(/JOB_COMPLETION_INDEX gives rank 1, but nothing gives the world size: pass --world-size/);
    expect(() => rankFrom({ rank: 4, worldSize: 4 }, {})).toThrow(/rank 4 \(from --rank\) is outside a world of size 4/);
    expect(() => rankFrom({}, { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/SLURM_ARRAY_TASK_ID must be a whole number/);
    expect(() => rankFrom({ worldSize: 2 }, {})).toThrow(/--world-size needs --rank/);
  });

  it('share the units round-robin, each unit to exactly one rank', async () => {
    const files = Array.from({ length: 23 }, (_, at) => ({ path: `f${at}`, label: `f${at}`, format: 'text' as const, size: 1000 }));
    const units = await planUnits(files, 2500);
    expect(units.length).toBe(12);
    const seen = [0, 1, 2].flatMap((rank) => unitsOfRank(units, { rank, worldSize: 3 }).map((unit) => unit.index));
    expect(seen.sort((a, b) => a - b)).toEqual(units.map((unit) => unit.index));
    expect(units.flatMap((unit) => unit.files.map((file) => file.label))).toEqual(files.map((file) => file.label));
  });
});

describe('the merge of units\' logs', () => {
  it('counts seq over the whole input, edits the line as written, and still reads a unit written with id first', async () => {
    const dir = tempDir();
    const first = join(dir, 'first.jsonl.gz');
    const second = join(dir, 'second.jsonl.gz');
    const records = [
      { seq: 0, id: 'a "quoted" id', start: 3, end: 9, concept: 'quanta', evidence: { match: 'quantum, ψ', score: 0.25 } },
      { seq: 7, id: 12, start: 0, end: 1, concept: 'relativity' },
    ];
    for (const [path, lines] of [[first, records], [second, [...records, { id: 'older unit', seq: 2, start: 5, end: 6 }]]] as const) {
      const writer = new JsonlWriter(path);
      for (const record of lines) await writer.write(record);
      await writer.close();
    }
    const merged = join(dir, 'merged.jsonl.gz');
    const written = await renumberLogs(new JsonlWriter(merged), [
      { path: first, place: { seqBase: 0 } },
      { path: second, place: { seqBase: 100 } },
    ]);
    expect(written.records).toBe(5);
    const expected = [...records, ...records.map((record) => ({ ...record, seq: record.seq + 100 })), { id: 'older unit', seq: 102, start: 5, end: 6 }];
    expect(readJsonlFile(merged)).toEqual(expected);
    // The same bytes as writing each renumbered record afresh.
    const fresh = join(dir, 'fresh.jsonl.gz');
    const writer = new JsonlWriter(fresh);
    for (const record of expected) await writer.write(record);
    await writer.close();
    expect(readFileSync(merged)).toEqual(readFileSync(fresh));
  });
});
