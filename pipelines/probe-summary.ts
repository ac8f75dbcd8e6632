/**
 * The probes of a `lacuna probes build --corpus RUN` as a verification report shows them: how many
 * of each kind passed against the run's corpus, and every failure with the check that failed. A
 * masked probe that fails is knowledge the corpus still holds; a control that fails is knowledge
 * it lost.
 */
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../corpora/errors.js';
import { readRecords } from '../corpora/readers/records.js';
import type { ProbeRecord } from './probes/build.js';
import { readManifest } from './replay.js';

export interface ProbeSummary {
  dir: string;
  byKind: Record<string, { passed: number; failed: number }>;
  failures: { id: string; kind: string; concept: string; question: string; failed: string[] }[];
}

export async function summariseProbes(probesDir: string, runDir: string): Promise<ProbeSummary> {
  const manifest = (await readManifest(probesDir)) as unknown as { command?: string; config?: { corpus?: string | null } };
  if (manifest.command !== 'probes build') throw new UsageError(`'${probesDir}' is not a probe build (lacuna probes build --corpus ${runDir})`);
  const corpus = manifest.config?.corpus;
  const same = corpus ? (await realpath(resolve(corpus)).catch(() => '')) === (await realpath(resolve(runDir)).catch(() => runDir)) : false;
  if (!same) throw new UsageError(`the probes in '${probesDir}' were verified against ${corpus ? `'${corpus}'` : 'no corpus'}, not '${runDir}'; build them with lacuna probes build --corpus ${runDir}`);
  const summary: ProbeSummary = { dir: probesDir, byKind: {}, failures: [] };
  for await (const probe of readRecords<ProbeRecord>(join(probesDir, 'probes.jsonl'))) {
    const entry = (summary.byKind[probe.kind] ??= { passed: 0, failed: 0 });
    if (probe.verification?.passed) entry.passed++;
    else {
      entry.failed++;
      summary.failures.push({ id: probe.id, kind: probe.kind, concept: probe.concept, question: probe.question, failed: (probe.verification?.checks ?? []).filter((check) => !check.passed).map((check) => `${check.check}: ${check.detail}`) });
    }
  }
  return summary;
}
