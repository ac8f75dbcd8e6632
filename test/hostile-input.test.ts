/**
 * The hostile-input suite (issue 10): every case a red-team pass reproduced — files Lacuna must
 * not touch, inputs that hung it, provenance it lost, contracts it broke — and the evasions a
 * detector must see through, each with its exact expected outcome. Cases 1 and 2 (a user's file
 * in corpus/, a crafted manifest naming ../victim) are in ownership.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CLI, jsonl, readCorpus, readJsonlFile, readManifest, ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'samples', 'physics-mini.jsonl');
const SAMPLE_RECORDS = readFileSync(SAMPLE, 'utf8').trim().split('\n').length;
const RULES = ['--detectors', 'lexical,entity,context'];
const mask = (inputs: string[], out: string, ...extra: string[]) => runCli(['mask', ...inputs, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...RULES, ...extra]);

/** `n` plain records, none about physics after 1900, each with its own id. */
function plainRecords(n: number, id = (i: number) => `r${i}`): { id: string; text: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: id(i), text: `Record ${i} says the barometer fell before the storm.` }));
}

describe('case 3: one run at a time per output directory', () => {
  it('a second run into a directory another run holds fails at once with exit 2, and the first finishes', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.jsonl');
    const sample = readFileSync(SAMPLE, 'utf8');
    writeFileSync(input, sample.repeat(150));
    const out = join(dir, 'out');
    const first = spawn(process.execPath, [CLI, 'mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', ...RULES], { stdio: 'ignore' });
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve));
    // Wait until the first run holds the lock.
    while (!existsSync(join(out, '.lacuna-lock'))) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await mask([SAMPLE], out);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^lacuna: output directory '${out}' is in use by another Lacuna run \\(pid ${first.pid} on .+\\); if that run is gone, delete '${out}/.lacuna-lock'\\n$`));
    expect(await firstDone).toBe(0);
    expect(readManifest(out).counts.input).toBe(SAMPLE_RECORDS * 150);
    expect(existsSync(join(out, '.lacuna-lock'))).toBe(false);
  });

  it('takes over the lock of a run that died (kill -9), and refuses one held on another host', async () => {
    const out = join(tempDir(), 'out');
    mkdirSync(out);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const hostname = (await import('node:os')).hostname();
    writeFileSync(join(out, '.lacuna-lock'), JSON.stringify({ pid: Number(dead.stdout), host: hostname }));
    expect((await mask([SAMPLE], out)).code).toBe(0);
    writeFileSync(join(out, '.lacuna-lock'), JSON.stringify({ pid: 1, host: 'another-host' }));
    const refused = await mask([SAMPLE], out, '--overwrite');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is in use by another Lacuna run (pid 1 on another-host)');
  });
});

describe('case 4: no input hangs', () => {
  it.each([
    ['an object: one record', '{"id":"a","text":"One record on its own."}', { docs: ['a'], rejects: [] as string[] }],
    ['two concatenated objects', '{"id":"a","text":"One."}\n{"id":"b","text":"Two."}\n', { docs: ['a', 'b'], rejects: [] }],
    ['a string', '"just a string"', { docs: [], rejects: ['top level is a string, not an array of records or a record object'] }],
    ['a number', '12345', { docs: [], rejects: ['top level is a number, not an array of records or a record object'] }],
    ['null', 'null', { docs: [], rejects: ['top level is null, not an array of records or a record object'] }],
  ])('a .json file whose top level is %s', async (_case, content, expected) => {
    const dir = tempDir();
    const input = join(dir, 'o.json');
    writeFileSync(input, content);
    const run = await mask([input], join(dir, 'out'));
    expect(run.code).toBe(0);
    expect(readCorpus(join(dir, 'out')).map((doc) => doc.id)).toEqual(expected.docs);
    expect(readJsonlFile<{ reason: string }>(join(dir, 'out', 'rejects.jsonl')).map((reject) => reject.reason)).toEqual(expected.rejects);
  });

  it('--format json given a JSON Lines file reads every line as a record', async () => {
    const dir = tempDir();
    const run = await mask([SAMPLE], join(dir, 'out'), '--format', 'json');
    expect(run.code).toBe(0);
    expect(readManifest(join(dir, 'out')).counts).toMatchObject({ input: SAMPLE_RECORDS, rejected: 0 });
  });
});

describe('case 5: an output inside an input directory', () => {
  it('is refused up front, on the first run and on a rerun with --overwrite', async () => {
    const dir = tempDir();
    const corpus = join(dir, 'corpus');
    mkdirSync(corpus);
    copyFileSync(SAMPLE, join(corpus, 'in.jsonl'));
    for (const extra of [[], ['--overwrite']]) {
      const run = await mask([corpus], join(corpus, 'run'), ...extra);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`lacuna: output directory '${join(corpus, 'run')}' lies inside input '${corpus}': a run would read its own output; choose an output outside the inputs\n`);
    }
    expect(readdirSync(corpus)).toEqual(['in.jsonl']);
  });
});

describe('case 6: provenance with repeated ids and damaged arrays', () => {
  it('replays a corpus whose consecutive records share an id (id = source file), every document identical', async () => {
    const dir = tempDir();
    const sample = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { text: string });
    const records = Array.from({ length: 400 }, (_, i) => ({ id: `file-${Math.floor(i / 10)}`, text: sample[i % sample.length].text }));
    const input = join(dir, 'chunks.jsonl');
    writeFileSync(input, jsonl(records));
    const out = join(dir, 'out');
    expect((await mask([input], out)).code).toBe(0);
    const { counts } = readManifest(out);
    expect(counts.edited + counts.dropped).toBeGreaterThan(100);
    const replay = await runCli(['replay', out]);
    expect(replay.stdout).toBe(`replayed 400 documents: ${counts.kept + counts.edited} identical to the corpus, ${counts.dropped} dropped as logged, 0 mismatched\n`);
    expect(replay.code).toBe(0);
  });

  it('keeps every element before the damage of a JSON array cut short, and replay agrees with mask', async () => {
    const dir = tempDir();
    const whole = '[\n' + plainRecords(1000).map((record) => JSON.stringify(record)).join(',\n') + '\n]\n';
    const cut = whole.slice(0, whole.indexOf('"r600"') + 3);
    const input = join(dir, 'cut.json');
    writeFileSync(input, cut);
    const out = join(dir, 'out');
    expect((await mask([input], out)).code).toBe(0);
    expect(readManifest(out).counts).toMatchObject({ input: 601, kept: 600, rejected: 1 });
    expect(readJsonlFile<{ record: number; reason: string }>(join(out, 'rejects.jsonl'))).toEqual([
      { file: 'cut.json', record: 600, reason: expect.stringMatching(/^not a valid JSON array of records after record 599 \(.+\); the records before it were kept$/) },
    ]);
    const replay = await runCli(['replay', out]);
    expect(replay.stdout).toBe('replayed 600 documents: 600 identical to the corpus, 0 dropped as logged, 0 mismatched\n');
  });
});

describe('case 7: verify trusts nothing the manifest does not pin', () => {
  it('fails on a file under the run that the manifest does not list, and on any edit to the manifest', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect((await mask([SAMPLE], out)).code).toBe(0);
    expect((await runCli(['verify', out, '--json'])).code).toBe(0);

    const smuggled = join(out, 'corpus', 'part-00099.jsonl.gz');
    writeFileSync(smuggled, gzipSync(readFileSync(SAMPLE)));
    const extra = await runCli(['verify', out, '--json']);
    expect(extra.code).toBe(1);
    expect(JSON.parse(extra.stdout).integrity.problems).toEqual(['corpus/part-00099.jsonl.gz: not listed in the manifest (not written by this run)']);
    expect(extra.stdout).not.toContain('PASSED');

    const manifestPath = join(out, 'manifest.json');
    const original = readFileSync(manifestPath, 'utf8');
    for (const edit of [(m: any) => (m.verification.passed = !m.verification.passed), (m: any) => (m.pack.version = '9.9.9'), (m: any) => (m.counts.dropped += 0.5)]) {
      const manifest = JSON.parse(original);
      edit(manifest);
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
      const edited = await runCli(['verify', out, '--json']);
      expect(edited.code).toBe(1);
      expect(JSON.parse(edited.stdout).integrity.problems).toContain('manifest.json: changed after the run wrote it (its seal does not match its content)');
    }
  });
});

describe('case 8: symbolic links in an input directory', () => {
  it('follows links to files and directories, enters a loop once, and records a broken link as skipped', async () => {
    const dir = tempDir();
    const corpus = join(dir, 'corpus');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(join(corpus, 'real'), { recursive: true });
    mkdirSync(elsewhere);
    writeFileSync(join(corpus, 'real', 'a.jsonl'), jsonl(plainRecords(3, (i) => `a${i}`)));
    writeFileSync(join(elsewhere, 'b.jsonl'), jsonl(plainRecords(5, (i) => `b${i}`)));
    symlinkSync(join(elsewhere, 'b.jsonl'), join(corpus, 'linked.jsonl'));
    symlinkSync(elsewhere, join(corpus, 'linked-dir'));
    symlinkSync(corpus, join(corpus, 'real', 'loop'));
    symlinkSync(join(dir, 'nowhere.jsonl'), join(corpus, 'broken.jsonl'));
    const out = join(dir, 'out');
    expect((await mask([corpus], out)).code).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.inputs.map((input: { label: string; records: number }) => [input.label, input.records])).toEqual([
      ['linked-dir/b.jsonl', 5],
      ['linked.jsonl', 5],
      ['real/a.jsonl', 3],
    ]);
    expect(manifest.skippedInputs).toEqual([
      { path: join(corpus, 'broken.jsonl'), reason: 'symbolic link that cannot be followed (no such file or directory)' },
      { path: join(corpus, 'real', 'loop'), reason: 'symbolic link to a directory already read (a loop or a second way in)' },
    ]);
    expect(manifest.counts.input).toBe(13);
  });
});

describe('case 9: gzip with trailing garbage', () => {
  it('keeps every record gzip -d keeps, and says what it ignored', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl.gz');
    const records = plainRecords(5000);
    writeFileSync(input, Buffer.concat([gzipSync(jsonl(records)), Buffer.from('GARBAGE AFTER THE STREAM')]));
    const out = join(dir, 'out');
    expect((await mask([input], out)).code).toBe(0);
    expect(readCorpus(out).map((doc) => doc.id)).toEqual(records.map((record) => record.id));
    expect(readJsonlFile(join(out, 'rejects.jsonl'))).toEqual([
      { file: 'in.jsonl.gz', line: 5001, reason: 'bytes after the end of the gzip stream are not gzip; they were ignored, as gzip -d ignores them, and every record before them was kept' },
    ]);
    expect((await runCli(['replay', out])).stdout).toBe('replayed 5000 documents: 5000 identical to the corpus, 0 dropped as logged, 0 mismatched\n');
  });

  it('reads concatenated members whole, and names a corrupted member', async () => {
    const dir = tempDir();
    const records = plainRecords(400);
    const members = Buffer.concat([gzipSync(jsonl(records.slice(0, 200))), gzipSync(jsonl(records.slice(200)))]);
    writeFileSync(join(dir, 'two.jsonl.gz'), members);
    expect((await mask([join(dir, 'two.jsonl.gz')], join(dir, 'out'))).code).toBe(0);
    expect(readManifest(join(dir, 'out')).counts).toMatchObject({ input: 400, kept: 400, rejected: 0 });

    const corrupted = Buffer.from(members);
    corrupted[corrupted.length - 6] ^= 0xff; // inside the second member's CRC-32
    writeFileSync(join(dir, 'bad.jsonl.gz'), corrupted);
    expect((await mask([join(dir, 'bad.jsonl.gz')], join(dir, 'bad'))).code).toBe(0);
    const [reject] = readJsonlFile<{ reason: string }>(join(dir, 'bad', 'rejects.jsonl'));
    expect(reject.reason).toBe('gzip stream is damaged or truncated after line 400 (CRC-32 check failed); the records before it were kept');
  });
});

describe('case 10: a record nested 100,000 deep', () => {
  it('is rejected with its reason and the run goes on', async () => {
    const dir = tempDir();
    const input = join(dir, 'deep.jsonl');
    writeFileSync(input, `{"id":"deep","text":"hi","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n` + jsonl(plainRecords(3)));
    const run = await mask([input], join(dir, 'out'));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(readJsonlFile(join(dir, 'out', 'rejects.jsonl'))).toEqual([{ file: 'deep.jsonl', line: 1, reason: 'record nests objects or arrays more than 512 levels deep' }]);
    expect(readCorpus(join(dir, 'out')).map((doc) => doc.id)).toEqual(['r0', 'r1', 'r2']);
  });
});

/** Whether this machine lets a test mount a small tmpfs in a private namespace (util-linux unshare). */
const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /tmp']).status === 0;
if (!canMount) {
  // Util-linux's unshare is on every Debian machine; only a kernel that forbids user namespaces stops it.
  if (process.env.CI) throw new Error('CI is set but `unshare -rm` cannot mount a tmpfs: the full-disk and read-only cases must run in CI');
  console.warn('SKIPPED: full-disk and read-only-filesystem cases: `unshare -rm` with a tmpfs mount is not permitted here');
}

describe('case 11: filesystem failures are one line with exit 2', () => {
  /** Runs the CLI with `dir` a fresh tmpfs of `size`, read-only after `setup` when asked. */
  function inTmpfs(dir: string, size: string, args: string[], readOnlyAfter?: string[]) {
    const cli = (list: string[]) => [process.execPath, CLI, ...list].map((arg) => `'${arg}'`).join(' ');
    const script = [`mount -t tmpfs -o size=${size} tmpfs '${dir}'`, ...(readOnlyAfter ? [`${cli(readOnlyAfter)} >/dev/null 2>&1`, `mount -o remount,ro '${dir}'`] : []), `exec ${cli(args)}`].join(' && ');
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8' });
    return { code: result.status, stderr: result.stderr };
  }

  it.skipIf(!canMount)('a full disk (ENOSPC) names the file and leaves no staging or lock behind', () => {
    const dir = tempDir();
    const big = join(tempDir(), 'big.jsonl');
    writeFileSync(big, jsonl(plainRecords(20_000)));
    const script = `mount -t tmpfs -o size=100k tmpfs '${dir}' && '${process.execPath}' '${CLI}' mask '${big}' --pack physics-post-1900 --out '${dir}/out' --quiet --detectors none; echo "rc=$?"; ls -A '${dir}'`;
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8' });
    // Which staged file meets the full disk first depends on compression timing; that it is named does not.
    // The run's staging, or the temporary directory of the work unit that was writing.
    expect(result.stderr).toMatch(new RegExp(`^lacuna: cannot write '${dir}/out/(\\.lacuna-staging-[^']+|\\.lacuna-work/[0-9a-f]+/unit-\\d+\\.tmp-[^/']+)/[a-z0-9/-]+\\.jsonl(\\.gz)?': no space left on device \\(ENOSPC\\)\\n$`));
    // The empty listing after rc=2: the failed run took its staging, its lock and its (unfinished) unit
    // with it, and then the output directory it had made, empty again.
    expect(result.stdout).toBe('rc=2\n');
  });

  it.skipIf(!canMount)('a read-only filesystem (EROFS), for a new run and for a rerun', () => {
    const dir = tempDir();
    const fresh = inTmpfs(dir, '1m', ['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', join(dir, 'out'), '--quiet', ...RULES], ['--version']);
    expect(fresh).toEqual({ code: 2, stderr: `lacuna: cannot create output directory '${join(dir, 'out')}': read-only file system (EROFS)\n` });
    const maskArgs = ['mask', SAMPLE, '--pack', 'physics-post-1900', '--out', join(dir, 'out'), '--quiet', ...RULES];
    const rerun = inTmpfs(dir, '1m', [...maskArgs, '--overwrite'], maskArgs);
    expect(rerun.code).toBe(2);
    expect(rerun.stderr).toMatch(new RegExp(`^lacuna: cannot write '${join(dir, 'out')}/\\.lacuna-lock\\.[^']+': read-only file system \\(EROFS\\)\\n$`));
  });

  it('replay with an input that is missing or has become a directory; verify of a shard with a flipped byte exits 1', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    copyFileSync(SAMPLE, input);
    const out = join(dir, 'out');
    expect((await mask([input], out)).code).toBe(0);

    const shard = join(out, 'corpus', 'part-00000.jsonl.gz');
    const bytes = readFileSync(shard);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(shard, bytes);
    const verify = await runCli(['verify', out]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('corpus/part-00000.jsonl.gz: sha256 differs from the manifest (altered after the run)');
    expect(verify.stdout).toMatch(/corpus\/part-00000\.jsonl\.gz: cannot be read \(.+\)/);

    const moved = join(dir, 'moved.jsonl');
    copyFileSync(input, moved);
    writeFileSync(input, '');
    spawnSync('rm', [input]);
    expect(await runCli(['replay', out])).toMatchObject({ code: 2, stderr: `lacuna: cannot read the run's input '${input}': no such file or directory\n` });
    mkdirSync(input);
    expect(await runCli(['replay', out])).toMatchObject({ code: 2, stderr: `lacuna: the run's input '${input}' is no longer a file\n` });
  });

  it('never overwrites a file the user named for a report or a replayed corpus', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect((await mask([SAMPLE], out)).code).toBe(0);
    const mine = join(dir, 'mine.json');
    writeFileSync(mine, 'my notes');
    for (const args of [['verify', out, '--out', mine], ['replay', out, '--write', mine]]) {
      const run = await runCli(args);
      expect(run).toMatchObject({ code: 2, stderr: `lacuna: '${mine}' already exists; Lacuna does not overwrite a file it did not write: choose another path or remove it\n` });
    }
    expect(readFileSync(mine, 'utf8')).toBe('my notes');
  });
});

describe('case 12: the small contracts', () => {
  it('refuses an empty --text-field or --id-field instead of rejecting every record', async () => {
    for (const flag of ['--text-field', '--id-field']) {
      const run = await mask([SAMPLE], join(tempDir(), 'out'), flag, '');
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`lacuna: option '${flag} <path>' argument '' is invalid. expected a dotted field path such as text or meta.body, with no empty part\n`);
    }
  });

  it('refuses a pattern that matches the empty string, and warns of a one-letter term', async () => {
    const dir = tempDir();
    const pack = (patterns: string) => `id: tiny\ntitle: Tiny\nversion: 0.1.0\ncutoff: 1900\ndescription: A test pack.\nlanguage: en\nconcepts:\n  - id: c\n    label: C\n    description: A concept.\n    terms: [c, relativity]\n    patterns: ${patterns}\n`;
    writeFileSync(join(dir, 'empty.yaml'), pack('["a*"]'));
    const refused = await runCli(['packs', 'validate', join(dir, 'empty.yaml')]);
    expect(refused).toMatchObject({ code: 2, stderr: `lacuna: ${join(dir, 'empty.yaml')}: concepts[0].patterns[0]: pattern "a*" matches the empty string, so it would match everywhere\n` });
    writeFileSync(join(dir, 'one.yaml'), pack('[]'));
    const run = await runCli(['mask', SAMPLE, '--pack', join(dir, 'one.yaml'), '--out', join(dir, 'out'), '--quiet', ...RULES]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('lacuna: warning: pack tiny: concepts[0].terms[0] "c" (c) is a single character: it matches as a word all over ordinary text\n');
    expect(readManifest(join(dir, 'out')).pack.warnings).toHaveLength(1);
    // A term with punctuation between its words can never match: said before the run, as a warning.
    writeFileSync(join(dir, 'dotted.yaml'), pack('[]').replace('terms: [c, relativity]', 'terms: ["e.g. relativity", relativity]'));
    const dotted = await runCli(['mask', SAMPLE, '--pack', join(dir, 'dotted.yaml'), '--out', join(dir, 'out-dotted'), '--quiet', ...RULES]);
    expect(dotted.code).toBe(0);
    expect(dotted.stderr).toBe('lacuna: warning: pack tiny: concepts[0].terms[0] "e.g. relativity" (c) has "." between words: a phrase is never read across it, so the term never matches (write the words with spaces or a hyphen, or use a pattern)\n');
  });

  it('keeps the numeric id 12345 and the string "12345" apart: each keeps its JSON type', async () => {
    const dir = tempDir();
    const input = join(dir, 'ids.jsonl');
    writeFileSync(input, '{"id":12345,"text":"Plain words."}\n{"id":"12345","text":"Plain words."}\n');
    expect((await mask([input], join(dir, 'out'))).code).toBe(0);
    expect(readCorpus(join(dir, 'out')).map((doc) => doc.id)).toEqual([12345, '12345']);
    expect((await runCli(['replay', join(dir, 'out')])).code).toBe(0);
  });
});

describe('evasions: the text a detector must see through, end to end', () => {
  // Each hides a post-1900 statement in a paragraph of 1887 physics: the statement goes, the rest stays.
  const KEPT = 'The interferometer was turned slowly on its float of mercury, and the fringes were observed at sixteen equidistant points.';
  it.each([
    ['zero-width space', 'Light consists of pho\u200btons, as the photoelectric effect shows.'],
    ['soft hyphen', 'Light consists of pho\u00adtons, as the photoelectric effect shows.'],
    ['word joiner', 'The theory of relativ\u2060ity abolishes the ether.'],
    ['Cyrillic look-alikes', 'The theory of r\u0435lativity abolishes the \u0435ther.'],
    ['Greek look-alikes', 'Light consists of \u03a1h\u039ftons of energy.'],
    ['NFD accents', 'The Schro\u0308dinger equation describes the electron.'],
    ['OCR hyphenation', 'Light consists of pho-\ntons of energy.'],
    ['an HTML entity', 'The Schr&ouml;dinger equation describes the electron.'],
    ['a LaTeX accent', 'The Schr\\"odinger equation describes the electron.'],
    ['letter-spacing', 'The theory of r e l a t i v i t y abolishes the ether.'],
    ['E = m*c**2', 'Mass and energy are one: E = m*c**2 for every body.'],
    ['a right-to-left override', 'The theory of \u202erelativity\u202c abolishes the ether.'],
  ])('%s', async (_case, hidden) => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl([{ id: 'p', text: `${KEPT} ${hidden} ${KEPT}` }]));
    const run = await mask([input], join(dir, 'out'));
    expect(run.code).toBe(0);
    expect(readCorpus(join(dir, 'out'))).toEqual([{ id: 'p', text: `${KEPT} ${KEPT}` }]);
  });
});
