/**
 * The fingerprint of the running code (corpora/package-info.ts, toolBuild): part of every run's key,
 * so that a run resumed or rerun after the code changed never reuses work units the other code
 * decided, and recorded in every manifest.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonl, readManifest, ROOT, runCli, tempDir } from './helpers.js';

const BUILT = join(ROOT, 'dist', 'corpora', 'package-info.js');

/** toolBuild() of the package-info module at `module`, in a process of its own (a fresh module). */
function buildOf(module: string): string {
  const script = `import(${JSON.stringify(pathToFileURL(module).href)}).then((m) => process.stdout.write(m.toolBuild()))`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

/** A package named lacuna whose build holds the fingerprinting module and `files` (path → text). */
function fakeBuild(files: Record<string, string>): string {
  const root = tempDir();
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'lacuna', version: '0.1.0' }));
  mkdirSync(join(root, 'dist', 'corpora'), { recursive: true });
  copyFileSync(BUILT, join(root, 'dist', 'corpora', 'package-info.js'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, 'dist', path, '..'), { recursive: true });
    writeFileSync(join(root, 'dist', path), text);
  }
  return join(root, 'dist', 'corpora', 'package-info.js');
}

describe('the fingerprint of the running code', () => {
  it('changes with a module of the build, and with nothing else', () => {
    const files = { 'maskers/policy.js': 'export const rule = 1;\n', 'pipelines/mask.js': 'export {};\n', 'maskers/packs/p.yaml': 'id: p\n' };
    const first = buildOf(fakeBuild(files));
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    // The same modules elsewhere (another checkout, another node of a cluster): the same fingerprint.
    expect(buildOf(fakeBuild(files))).toBe(first);
    // A data file beside the modules is not code (a pack's own sha256 is in the key already).
    expect(buildOf(fakeBuild({ ...files, 'maskers/packs/p.yaml': 'id: q\n' }))).toBe(first);
    // One byte of one module, or a module more, is another build.
    expect(buildOf(fakeBuild({ ...files, 'maskers/policy.js': 'export const rule = 2;\n' }))).not.toBe(first);
    expect(buildOf(fakeBuild({ ...files, 'indexes/new.js': 'export {};\n' }))).not.toBe(first);
  });

  it('is recorded in the manifest, and a run of other code is another run: no rerun reads it as its own', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.jsonl'), jsonl([{ id: 'a', text: 'Faraday wound two coils of wire on an iron ring.' }]));
    const out = join(dir, 'run');
    const job = ['mask', join(dir, 'in.jsonl'), '--pack', 'physics-post-1900', '--out', out, '--quiet'];
    expect((await runCli(job)).code).toBe(0);
    const first = readManifest(out) as unknown as { tool: { build: string }; work: { runKey: string } };
    expect(first.tool.build).toBe(buildOf(BUILT));
    // The same code again: the same run, finished, left alone.
    expect((await runCli(job)).code).toBe(0);
    expect(readManifest(out)).toEqual(first);

    // The same version of Lacuna with one module changed by a comment (an update between two runs).
    const other = tempDir();
    cpSync(join(ROOT, 'dist'), join(other, 'dist'), { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(other, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
    mkdirSync(join(other, 'maskers'));
    symlinkSync(join(ROOT, 'maskers', 'packs'), join(other, 'maskers', 'packs'));
    appendFileSync(join(other, 'dist', 'maskers', 'policy.js'), '// another build\n');
    const otherCli = (args: string[]) => execFileSync(process.execPath, [join(other, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', stdio: 'pipe' });
    expect(() => otherCli(job)).toThrow(/already holds a finished run; pass --overwrite to replace it/);
    otherCli([...job, '--overwrite']);
    const second = readManifest(out) as unknown as { tool: { build: string }; work: { runKey: string } };
    expect(second.tool.build).not.toBe(first.tool.build);
    expect(second.work.runKey).not.toBe(first.work.runKey);
  });
});
