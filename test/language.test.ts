/** Documents plainly not in the pack's language: found, named, and reported by a run. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { otherLanguage } from '../maskers/language.js';
import { jsonl, runCli, tempDir } from './helpers.js';

const ENGLISH = 'The velocity of light is the same for all observers, and the clocks of a moving system run slow when they are compared with those at rest. '.repeat(4);
const GERMAN = 'Die Lichtgeschwindigkeit ist für jeden Beobachter dieselbe, wie auch immer er sich bewegt, und bewegte Uhren gehen langsamer als ruhende Uhren. '.repeat(4);
const FRENCH = 'La vitesse de la lumière est la même pour tous les observateurs, quel que soit leur mouvement, et les horloges en mouvement retardent sur les horloges au repos. '.repeat(4);

describe('otherLanguage', () => {
  it('names German and French prose for an English pack, and leaves English, short text, listings and formulas alone', () => {
    expect(otherLanguage(GERMAN, 'en')).toBe('deu');
    expect(otherLanguage(FRENCH, 'en')).toBe('fra');
    expect(otherLanguage(ENGLISH, 'en')).toBeUndefined();
    expect(otherLanguage('Die Uhr geht nach.', 'en')).toBeUndefined();
    // What franc would name a language anyway: a FORTRAN listing, a run of LaTeX exercises.
    expect(otherLanguage('      SUBROUTINE CTRL4\n    3 NUMRUN(4)=NUMRUN(4)+1\n      NUMRUN(5)=0\n      CALL INPT4\n      CALL POT1CH\n   35 IF(KTRL(5)) 80,81,80\n   80 CALL POP1\n'.repeat(8), 'en')).toBeUndefined();
    expect(otherLanguage('\\Item{14.} $3c - 3ab$. \\Item{15.} $ab + ac$. \\Item{16.} $ab - ac$. \\Item{17.} $3ab + 3ac$. '.repeat(12), 'en')).toBeUndefined();
    // A German pack reads German: the English text is the other language then.
    expect(otherLanguage(GERMAN, 'de')).toBeUndefined();
    expect(otherLanguage(ENGLISH, 'de')).toBe('eng');
    // A pack language with no mapping: nothing is judged.
    expect(otherLanguage(GERMAN, 'xx')).toBeUndefined();
  });
});

describe('lacuna mask and documents in another language', () => {
  it('counts them in the manifest and says so beside the verdict, the same with one worker or two', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl([{ id: 'en', text: ENGLISH }, { id: 'de', text: GERMAN }, { id: 'fr', text: FRENCH }, { id: 'short', text: 'Die Uhr.' }]));
    const runs = [];
    for (const workers of ['1', '2']) {
      const out = join(dir, `out-${workers}`);
      const run = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--workers', workers, '--unit-bytes', '1KB']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("Not screened in earnest: 2 document(s), 1,220 characters, are plainly not in the pack's language (en): deu 1, fra 1.");
      runs.push(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).languages);
    }
    // Both kept whole: all their characters are in the output.
    expect(runs[0]).toEqual({ pack: 'en', other: { deu: { documents: 1, chars: GERMAN.length, outputChars: GERMAN.length }, fra: { documents: 1, chars: FRENCH.length, outputChars: FRENCH.length } } });
    expect(runs[1]).toEqual(runs[0]);
  });

  it("counts what the output keeps of them as target text in the verdict's bound, or rejects them with --other-languages reject", async () => {
    const dir = tempDir();
    // Pre-1900 optics, 34,240 characters, which the detectors leave alone; and the French sentence on
    // the speed of light for every observer (special relativity), which an English pack cannot read.
    const optics = 'A lens bends the rays of light toward its focus, and the image of a distant candle falls where they cross. '.repeat(320);
    const verdicts: { stdout: string; estimate: { remainingBound: number; unscreenedChars?: number } }[] = [];
    for (const records of [[{ id: 'optics', text: optics }], [{ id: 'optics', text: optics }, { id: 'fr', text: FRENCH }]]) {
      const input = join(dir, `in-${records.length}.jsonl`);
      writeFileSync(input, jsonl(records));
      const out = join(dir, `out-${records.length}`);
      const run = await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out]);
      expect(run.code, run.stderr).toBe(0);
      verdicts.push({ stdout: run.stdout, estimate: JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).verification.estimate });
    }
    const [alone, withFrench] = verdicts;
    expect(alone.stdout).toContain('Verification: PASSED');
    expect(alone.estimate.unscreenedChars).toBeUndefined();
    // 644 characters of 34,884 (1.8%) that nobody could read are over the 1% --max-leak allows.
    expect(withFrench.stdout).toContain('Verification: INCONCLUSIVE');
    expect(withFrench.stdout).toContain(`counting the ${FRENCH.length} characters in another language, which the pack's detectors cannot read, as target text`);
    expect(withFrench.estimate.unscreenedChars).toBe(FRENCH.length);
    expect(withFrench.estimate.remainingBound).toBeGreaterThanOrEqual(FRENCH.length);
    // A rerun of verify reads the same from the manifest.
    const verify = await runCli(['verify', join(dir, 'out-2')]);
    expect(verify.stdout).toContain('Verification: INCONCLUSIVE');

    // --other-languages reject: the French document goes to rejects.jsonl with its reason, before any
    // detector sees it, and the output the verdict weighs holds none of it; `lacuna apply` does the same.
    const rejecting = join(dir, 'out-reject');
    const run = await runCli(['mask', join(dir, 'in-2.jsonl'), '--pack', 'physics-post-1900', '--out', rejecting, '--other-languages', 'reject']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Verification: PASSED');
    expect(run.stdout).toContain("Rejected for their language: 1 document(s), 644 characters, plainly not in the pack's language (en): fra 1");
    const rejects = readFileSync(join(rejecting, 'rejects.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(rejects).toEqual([{ file: 'in-2.jsonl', line: 2, id: 'fr', reason: "plainly not in the pack's language (en) but fra, which its rules and classifier cannot read (--other-languages reject)" }]);
    const manifest = JSON.parse(readFileSync(join(rejecting, 'manifest.json'), 'utf8'));
    expect(manifest.counts).toEqual({ input: 2, kept: 1, edited: 0, dropped: 0, rejected: 1 });
    expect(manifest.languages.other).toEqual({ fra: { documents: 1, chars: FRENCH.length, outputChars: 0 } });
    const applied = await runCli(['apply', rejecting, '--out', join(dir, 'applied'), '--unit', 'paragraph']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'applied', 'manifest.json'), 'utf8')).counts.rejected).toBe(1);
    // With --strict, a document the run cannot read stops it, as a malformed record does.
    const strict = await runCli(['mask', join(dir, 'in-2.jsonl'), '--pack', 'physics-post-1900', '--out', join(dir, 'strict'), '--other-languages', 'reject', '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toBe("lacuna: in-2.jsonl line 2: plainly not in the pack's language (en) but fra, which its rules and classifier cannot read (--other-languages reject) (--strict stops at the first rejected record)\n");
  });
});

describe('lacuna audit and documents in another language', () => {
  it('counts them in audit.json and names them in the Markdown', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl([{ id: 'en', text: ENGLISH }, { id: 'de', text: GERMAN }]));
    const run = await runCli(['audit', input, '--pack', 'physics-post-1900', '--out', join(dir, 'audit')]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'audit', 'audit.json'), 'utf8'));
    expect(report.languages).toEqual({ pack: 'en', other: { deu: { documents: 1, chars: GERMAN.length } } });
    expect(readFileSync(join(dir, 'audit', 'audit.md'), 'utf8')).toContain(`Not in the pack's language (en), so read without being understood: deu 1 document(s), ${GERMAN.length} characters.`);
  });
});
