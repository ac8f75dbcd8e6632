/**
 * The apply step on its own (issue 12): a second policy applied to a run's stored detections
 * must give exactly the run a fresh `lacuna mask` with that policy gives, without detecting again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, firstPapers, readManifest, runCli, SHARED, sharedAvailable, tempDir } from './helpers.js';
import type { Manifest } from '../corpora/manifest.js';
import { toolBuild } from '../corpora/package-info.js';
import { changedSince } from '../pipelines/mask.js';

const INPUTS = [
  firstPapers(),
  join(SHARED, 'corpora', 'physics', 'post1900', 'lorentz_einstein_theory_of_relativity_pg11335.txt'),
  join(SHARED, 'corpora', 'physics', 'pre1900', 'michelson_morley_relative_motion_aether_1887_pg70888.txt'),
];
// Six byte ranges of papers and a unit of the two books.
const JOB = [...INPUTS, '-p', 'physics-post-1900', '--unit-bytes', '200KB', '-q', '--workers', '2'];

describe.runIf(sharedAvailable('lacuna apply'))('lacuna apply', () => {
  it('applies a second policy to stored detections and gets the bytes of a fresh run with that policy', async () => {
    const dir = tempDir();
    const first = join(dir, 'sentence');
    expect((await runCli(['mask', ...JOB, '-o', first])).code).toBe(0);
    expect(readManifest(first).outputs.map((output: { path: string }) => output.path)).toContain('detections.jsonl.gz');

    for (const policy of [['--unit', 'paragraph'], ['--unit', 'document', '--max-flagged', '0.2'], ['--redact', '--placeholder', '[…]']]) {
      const fresh = join(dir, `fresh${policy.join('')}`);
      const applied = join(dir, `applied${policy.join('')}`);
      expect((await runCli(['mask', ...JOB, ...policy, '-o', fresh])).code).toBe(0);
      const result = await runCli(['apply', first, ...policy, '-o', applied, '-q', '--workers', '2']);
      expect(result.code, result.stderr).toBe(0);
      // The apply step ran no detector: its detect stage only read what was stored.
      expect(readManifest(applied).work.appliedFrom.run).toBe(first);
      // Every output the same bytes; the manifests differ only in where the detections came from.
      expectSameRun(applied, fresh, { ignoreSource: true });
    }
    // The stored detections are the run's: a changed policy that matches the run reproduces it.
    const same = join(dir, 'same');
    expect((await runCli(['apply', first, '-o', same, '-q'])).code).toBe(0);
    expect(readManifest(same).outputs).toEqual(readManifest(first).outputs);
  });

  it("applies the run's waiver again, and refuses when the waiver changed since the run", async () => {
    const dir = tempDir();
    const waiver = join(dir, 'waiver.tsv');
    writeFileSync(waiver, '# reviewed false positives\n');
    const run = join(dir, 'run');
    expect((await runCli(['mask', ...JOB, '--waive', waiver, '-o', run])).code).toBe(0);
    const applied = join(dir, 'applied');
    expect((await runCli(['apply', run, '--unit', 'paragraph', '-o', applied, '-q'])).code).toBe(0);
    expect(readManifest(applied).verification.waiver.sha256).toBe(readManifest(run).verification.waiver.sha256);
    writeFileSync(waiver, '# reviewed false positives, and one more line\n');
    const refused = await runCli(['apply', run, '--unit', 'paragraph', '-o', join(dir, 'refused'), '-q']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/waiver '.*waiver\.tsv' is missing or has changed since the run/);
  });
});


describe('lacuna apply, stored detections that no longer meet the records', () => {
  it('names the build as a cause only when the run was made by another one', () => {
    const run = (build: string | undefined) => ({ tool: { name: 'lacuna', version: '0.1.0', node: 'v20', ...(build ? { build } : {}) } }) as Manifest;
    expect(changedSince(run(toolBuild()))).toBe('the inputs changed since the run');
    expect(changedSince(run(undefined))).toBe('the inputs changed since the run');
    expect(changedSince(run('0123456789abcdef'))).toMatch(new RegExp(`^the inputs changed since the run, or this build of Lacuna \\(.*, build ${toolBuild()}\\) reads them into work units otherwise than the one that made it \\(0\\.1\\.0, build 0123456789abcdef\\); mask again$`));
  });
});
