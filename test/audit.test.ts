import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonlFile, ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'samples/physics-mini.jsonl');

describe('lacuna audit', () => {
  it('writes a JSON and Markdown report, the findings and a row per document, without editing anything', async () => {
    const out = join(tempDir(), 'audit');
    const result = await runCli(['audit', SAMPLE, '--pack', 'physics-post-1900', '--out', out, '--passages', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${out}/audit.md`);
    const report = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8'));
    expect(report.documents).toEqual({ total: 36, withFindings: expect.any(Number), rejected: 0 });
    const findings = readJsonlFile<{ id: string; concept: string; detector: string }>(join(out, 'findings.jsonl.gz'));
    expect(report.findings.total).toBe(findings.length);
    const conceptTotal = Object.values(report.concepts as Record<string, { findings: number }>).reduce((sum, concept) => sum + concept.findings, 0);
    expect(conceptTotal).toBe(findings.length);
    for (const [name, count] of Object.entries(report.findings.byDetector)) expect(findings.filter((finding) => finding.detector === name)).toHaveLength(count as number);
    // The colloquial sample ("quantum leap", "relativity of moral values") is suppressed, not found.
    expect(report.findings.suppressed).toBeGreaterThanOrEqual(1);
    expect(findings.some((finding) => finding.id === 'colloquial')).toBe(false);
    const special = report.concepts['special-relativity'];
    expect(special.passages.length).toBeLessThanOrEqual(3);
    expect(special.passages[0].context).toMatch(/⟦.+⟧/);
    const rows = readJsonlFile<{ id: string; flaggedFraction: number }>(join(out, 'documents.jsonl.gz'));
    expect(rows).toHaveLength(report.documents.withFindings);
    expect(rows.every((row) => row.flaggedFraction > 0 && row.flaggedFraction <= 1)).toBe(true);
    expect(report.flaggedFractionHistogram.reduce((a: number, b: number) => a + b, 0)).toBe(report.documents.withFindings);
    const markdown = readFileSync(join(out, 'audit.md'), 'utf8');
    expect(markdown).toContain('| special-relativity |');
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });

  it('prints Markdown, or JSON with --json, when no --out is given', async () => {
    const markdown = await runCli(['audit', SAMPLE, '--pack', 'physics-post-1900']);
    expect(markdown.stdout).toMatch(/^# Lacuna audit: physics-post-1900/);
    const json = await runCli(['audit', SAMPLE, '--pack', 'physics-post-1900', '--json', '--workers', '0']);
    expect(JSON.parse(json.stdout).documents.total).toBe(36);
  });
});
