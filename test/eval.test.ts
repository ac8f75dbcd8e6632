/**
 * `lacuna eval`: labelled passages, each masked as a document of its own, measured as a run would
 * mask them, with the passages that went wrong.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelledRates, ROOT, runCli, tempDir } from './helpers.js';

const SET3 = join(ROOT, 'test', 'data', 'physics-post-1900.paraphrases-3.tsv');
const DEFAULT = ['--detectors', 'lexical,entity,context,passage'];

describe('lacuna eval', () => {
  it('agrees with `lacuna audit` on which one-sentence passages the default detectors flag', async () => {
    const run = await runCli(['eval', '--pack', 'physics-post-1900', SET3, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    // A one-sentence document with a finding is dropped whole: removed and flagged are the same there.
    const audited = await labelledRates(SET3, 'physics-post-1900', DEFAULT);
    expect(result.targets).toMatchObject({ passages: audited.target.total, counted: audited.target.flagged });
    expect(result.others).toMatchObject({ passages: audited.keep.total, counted: audited.keep.flagged });
    expect(result.missed).toHaveLength(audited.target.total - audited.target.flagged);
    expect(result.touched).toHaveLength(audited.keep.flagged);
    for (const passage of result.missed) {
      expect(passage).toMatchObject({ label: 1, kind: 'paraphrase' });
      expect(passage.removed).toBeLessThan(0.5);
      const line = readFileSync(SET3, 'utf8').split('\n')[passage.line - 1];
      expect(line.split('\t')[2]).toBe(passage.text);
    }
    expect(result.files[0]).toMatchObject({ path: SET3, passages: 50 });
    expect(result.targets.share.low).toBeLessThanOrEqual(result.targets.share.estimate);
  });

  it('marks what it removed from a passage that is not target knowledge and names the finding, and writes JSON only to a new file', async () => {
    const dir = tempDir();
    const labelled = join(dir, 'mine.tsv');
    writeFileSync(
      labelled,
      [
        'label\tkind\ttext',
        '0\tbiography\tIn 1921 Einstein lectured on geometry and experience at the Prussian Academy, and the hall was full.',
        '0\tpre\tFaraday found in 1831 that a changing magnetic field induces a current in a nearby wire.',
        '1\tplain\tThe mass of a body is a measure of its energy content, as Einstein showed in 1905.',
      ].join('\n') + '\n',
    );
    const out = join(dir, 'eval.json');
    const run = await runCli(['eval', '--pack', 'physics-post-1900', labelled, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('| all | 1/1 (100%; 95% 21%–100%) | 1/2 (50%; 95% 9%–91%) |');
    expect(run.stdout).toMatch(/## Other passages that lost text \(1\)\n\n- .+mine\.tsv:2 \[biography\] 100% removed \(.*entity person "Albert Einstein" \([a-z-]+\).*\): ⟦In 1921 Einstein lectured .+⟧\n/);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.byKind.pre.others).toMatchObject({ passages: 1, counted: 0 });
    expect(written.touched[0].findings.some((finding: { detector: string; text: string }) => finding.detector === 'entity' && finding.text === 'Einstein')).toBe(true);
    const again = await runCli(['eval', '--pack', 'physics-post-1900', labelled, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^lacuna: .+eval\.json.+exists/);
  });

  it('refuses a malformed line with its file and line number', async () => {
    const dir = tempDir();
    const labelled = join(dir, 'bad.tsv');
    writeFileSync(labelled, 'label\tkind\ttext\n1\tplain\tLight is a wave.\nyes\tplain\tMass is energy.\n');
    const run = await runCli(['eval', '--pack', 'physics-post-1900', labelled]);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `lacuna: ${labelled} line 3: expected "label<TAB>kind<TAB>text" with label 0 or 1\n` });
    expect(existsSync(join(dir, 'eval.json'))).toBe(false);
  });
});
