import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeProgress, JsonProgress, TerminalProgress } from '../pipelines/runtime/progress.js';
import { runCli, tempDir } from './helpers.js';

function sink(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += chunk;
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  stream.isTTY = isTTY;
  return { stream, text: () => written };
}

describe('progress', () => {
  it('describes documents, MB, rate and ETA', () => {
    expect(describeProgress('lacuna mask', { documents: 1234, bytesRead: 50e6, totalBytes: 200e6, elapsedMs: 10_000 })).toBe('lacuna mask: 1,234 docs · 50.0 MB · 5.0 MB/s · 25% · ETA 0:30');
    expect(describeProgress('x', { documents: 1, bytesRead: 1e6, totalBytes: undefined, elapsedMs: 1000 })).toBe('x: 1 docs · 1.0 MB · 1.0 MB/s');
  });

  it('redraws one terminal line at most every interval and ends it with a newline', () => {
    const { stream, text } = sink(true);
    const progress = new TerminalProgress('lacuna mask', stream, 200);
    for (let ms = 0; ms <= 1000; ms += 50) progress.update({ documents: ms, bytesRead: ms * 1000, totalBytes: 1e6, elapsedMs: ms });
    progress.finish({ documents: 1000, bytesRead: 1e6, totalBytes: 1e6, elapsedMs: 1000 });
    expect(text().split('\r\x1b[2K').filter(Boolean)).toHaveLength(6);
    expect(text().endsWith('100% · ETA 0:00\n')).toBe(true);
  });

  it('writes JSON lines for machines', () => {
    const { stream, text } = sink(false);
    const progress = new JsonProgress('mask', stream, 1000);
    progress.update({ documents: 1, bytesRead: 10, totalBytes: 100, elapsedMs: 5 });
    progress.update({ documents: 2, bytesRead: 20, totalBytes: 100, elapsedMs: 50 });
    progress.finish({ documents: 3, bytesRead: 100, totalBytes: 100, elapsedMs: 2000 });
    expect(text().trim().split('\n').map((line) => JSON.parse(line).event)).toEqual(['progress', 'progress-done']);
  });
});

describe('lacuna packs', () => {
  it('lists the built-in packs and shows one', async () => {
    const list = await runCli(['packs', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^physics-post-1900\t\d+\.\d+\.\d+\tcutoff 1900\t\d+ concepts/m);
    const show = await runCli(['packs', 'show', 'physics-post-1900']);
    expect(show.stdout).toContain('special-relativity: Special relativity');
    expect(show.stdout).toContain('keeps: Michelson–Morley 1887');
    expect(show.stdout).toMatch(/^  claims \(\d+\): nothing travels faster than light; /m);
  });

  it('writes a commented starting point with packs init that validates as it stands, and will not overwrite it', async () => {
    const file = join(tempDir(), 'Ether Theory.yaml');
    const init = await runCli(['packs', 'init', file]);
    expect(init.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# A Lacuna concept pack/);
    expect((await runCli(['packs', 'validate', file])).stdout).toContain('valid pack ether-theory 0.1.0');
    const again = await runCli(['packs', 'init', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; pass --force');
  });

  it('validates a pack file and rejects an implication cycle or an unknown implied concept', async () => {
    const dir = tempDir();
    const concept = (id: string, implies: string[]) => `  - id: ${id}\n    label: ${id}\n    description: d\n    terms: [${id} term]\n    implies: [${implies.join(', ')}]\n`;
    const head = 'id: test-pack\ntitle: Test\nversion: 1.2.3\ncutoff: 1850\nconcepts:\n';
    const good = join(dir, 'good.yaml');
    writeFileSync(good, head + concept('a', ['b']) + concept('b', []));
    expect((await runCli(['packs', 'validate', good])).stdout).toContain('valid pack test-pack 1.2.3 with 2 concepts');
    const cyclic = join(dir, 'cyclic.yaml');
    writeFileSync(cyclic, head + concept('a', ['b']) + concept('b', ['a']));
    const cycle = await runCli(['packs', 'validate', cyclic]);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toMatch(/cyclic\.yaml: concepts: implied concepts form a cycle: a -> b -> a/);
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, head + concept('a', ['zzz']));
    expect((await runCli(['packs', 'validate', unknown])).stderr).toMatch(/unknown\.yaml: concepts\[0\]\.implies\[0\]: unknown concept 'zzz'/);
  });
});

describe('concept closure', () => {
  it('masks a chosen concept with all it implies, and refuses an unknown one in one line', async () => {
    const { ROOT, readManifest } = await import('./helpers.js');
    const sample = join(ROOT, 'samples/physics-mini.jsonl');
    const out = join(tempDir(), 'out');
    const result = await runCli(['mask', sample, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--concepts', 'cosmology', '--detectors', 'lexical,entity,context']);
    expect(result.code).toBe(0);
    const manifest = readManifest(out);
    // cosmology implies general relativity, which implies special relativity.
    expect(manifest.config.concepts).toEqual(['special-relativity', 'general-relativity', 'cosmology']);
    expect(Object.keys(manifest.verification.concepts)).toEqual(['special-relativity', 'general-relativity', 'cosmology']);
    const byConcept = manifest.findings.byConcept as Record<string, number>;
    expect(byConcept['quantum-mechanics']).toBe(0);
    expect(byConcept['cosmology']).toBeGreaterThan(0);
    const show = await runCli(['packs', 'show', 'physics-post-1900']);
    expect(show.stdout).toContain('masking it masks special-relativity, general-relativity, cosmology');
    const unknown = await runCli(['mask', sample, '--pack', 'physics-post-1900', '--out', join(tempDir(), 'x'), '--concepts', 'alchemy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^lacuna: pack physics-post-1900 has no concept 'alchemy'/);
  });
});

describe('collateral damage', () => {
  it('reports keep contexts and control knowledge that ended up inside removed spans, with passages', async () => {
    const { readManifest } = await import('./helpers.js');
    const input = join(tempDir(), 'in.jsonl');
    const text = 'The Bohr model reproduces Balmer\u2019s formula for the hydrogen lines. Faraday studied electrolysis in 1833.';
    writeFileSync(input, JSON.stringify({ id: 'bohr', text }) + '\n');
    const out = join(tempDir(), 'out');
    expect((await runCli(['mask', input, '--pack', 'physics-post-1900', '--out', out, '--quiet', '--detectors', 'lexical,entity,context'])).code).toBe(0);
    const { collateral } = readManifest(out);
    expect(collateral.destroyed["Balmer's formula and spectral series"]).toBe(1);
    expect(collateral.removedChars).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.collateral.destroyed["Balmer's formula and spectral series"].passages[0].context).toContain('⟦Balmer\u2019s formula⟧');
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    expect(markdown.indexOf('## Collateral damage')).toBeGreaterThan(0);
    // Right after the verdicts, before the passages: as prominent as the leakage.
    expect(markdown.indexOf('## Collateral damage')).toBeLessThan(markdown.indexOf('## Residual and nearest passages') === -1 ? Infinity : markdown.indexOf('## Residual and nearest passages'));
  });
});
