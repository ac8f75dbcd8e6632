/**
 * `lacuna audit`: what target knowledge a corpus holds, without editing it.
 * Per concept and per detector counts, suppressed matches (inside keep
 * contexts), passages with the matched span marked, and the share of each
 * document's sentences that carry a finding. JSON for machines, Markdown for
 * people; with --out, also the findings and a row per document.
 */
import { contextWarnings, emptyContextTally, tallyRuns, type ContextTally } from './context-tally.js';
import { suggestWorkField, workFieldSentence, WorkFieldTally, type WorkFieldHint } from './work-field-hint.js';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputReader, type InputOptions } from '../corpora/input-reader.js';
import type { StageStats } from '../corpora/manifest.js';
import { TOOL_NAME, TOOL_VERSION, toolBuild } from '../corpora/package-info.js';
import { resolveInputs, type FormatChoice } from '../corpora/sources.js';
import { JsonlWriter } from '../corpora/writers/jsonl-writer.js';
import { RunDirectory } from '../corpora/writers/run-directory.js';
import type { DetectorName } from '../maskers/detectors/chain.js';
import type { Finding, SpanFinding } from '../maskers/findings.js';
import { loadPack } from '../maskers/pack/load.js';
import { AuditTask, type AuditOutcome, type AuditTaskConfig } from './audit-task.js';
import { addSemanticStats } from '../maskers/detectors/chain.js';
import { emptySemanticStats, type SemanticStats } from '../maskers/detectors/semantic.js';
import { ensureDistilled } from '../indexes/semantic-models.js';
import { contextSentence, markedContext } from './leakage-report.js';
import { BatchRunner, batches, timed } from './runtime/batches.js';
import { renderAuditHtml } from './report-html.js';
import { silentProgress, type ProgressSink } from './runtime/progress.js';
import { addOtherLanguages, sortedLanguages, type OtherLanguages } from '../maskers/language.js';

export interface AuditOptions {
  inputs: string[];
  pack: string;
  /** Where to write the report, findings and per-document rows; the report alone is returned when absent. */
  out?: string;
  overwrite: boolean;
  format: FormatChoice;
  reading: InputOptions;
  detectors: DetectorName[];
  workers: number;
  /** Passages kept per concept in the report. */
  passages: number;
  cacheDir: string;
  model: string;
  /** Told what a valid pack may still get wrong (a one-letter term), before the run starts. */
  onWarning?: (message: string) => void;
}

export interface AuditPassage {
  id: string;
  start: number;
  end: number;
  detector: string;
  score: number;
  match: string;
  context: string;
}

export interface ConceptAudit {
  findings: number;
  documents: number;
  byDetector: Record<string, number>;
  suppressed: number;
  passages: AuditPassage[];
  suppressedPassages: AuditPassage[];
}

export interface DocumentAudit {
  id: string;
  chars: number;
  sentences: number;
  flaggedSentences: number;
  flaggedFraction: number;
  concepts: string[];
}

export interface AuditReport {
  tool: { name: string; version: string };
  pack: { id: string; version: string; sha256: string };
  inputs: { path: string; sha256: string; bytes: number; records: number; rejected: number }[];
  detectors: DetectorName[];
  documents: { total: number; withFindings: number; rejected: number };
  /** Documents plainly not in the pack's language, which its rules and classifier read without understanding. */
  languages: { pack: string; other: OtherLanguages };
  sentences: { inDocumentsWithFindings: number; flagged: number };
  findings: { total: number; suppressed: number; byDetector: Record<string, number> };
  semantic: SemanticStats | null;
  concepts: Record<string, ConceptAudit>;
  /** Documents with findings, most flagged first (at most 100; all of them in documents.jsonl.gz). */
  mostFlagged: DocumentAudit[];
  /** How many documents have a flagged share in each tenth (0–10%, 10–20%, ... of sentences). */
  flaggedFractionHistogram: number[];
  timings: { wallMs: number; stages: Record<string, StageStats> };
  /** With `--context-field`: the field and how the records were gathered into runs detected together. */
  context?: { field: string } & ContextTally;
  /** Without it: a field that may name the work short records come from (work-field-hint.ts). */
  workField?: WorkFieldHint;
}

const MOST_FLAGGED = 100;

function passage(id: string, text: string, finding: SpanFinding): AuditPassage {
  return { id, start: finding.start, end: finding.end, detector: finding.detector, score: finding.score, match: text.slice(finding.start, finding.end), context: markedContext(text, finding.start, finding.end) };
}

/** Keeps the documents with the highest flagged share, bounded, in a deterministic order. */
function rankDocuments(documents: DocumentAudit[]): DocumentAudit[] {
  return documents.sort((a, b) => b.flaggedFraction - a.flaggedFraction || b.flaggedSentences - a.flaggedSentences || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, MOST_FLAGGED);
}

export async function runAudit(options: AuditOptions, progress: ProgressSink = silentProgress): Promise<{ report: AuditReport; markdown: string; outDir?: string }> {
  const clock = performance.now();
  const { files } = await resolveInputs(options.inputs, options.format);
  const loaded = await loadPack(options.pack, options.cacheDir);
  for (const warning of loaded.warnings) options.onWarning?.(`pack ${loaded.pack.id}: ${warning}`);
  const run = options.out ? await RunDirectory.prepare(options.out, options.overwrite, options.inputs) : undefined;
  const taskConfig: AuditTaskConfig = { pack: loaded.pack, detectors: options.detectors, cacheDir: options.cacheDir, model: options.model };
  if (options.detectors.includes('semantic')) await ensureDistilled(options.cacheDir);
  const runner = new BatchRunner<AuditTaskConfig, AuditOutcome[]>({ kind: 'audit', config: taskConfig }, options.workers, () => AuditTask.create(taskConfig));
  const semantic = emptySemanticStats();
  const reader = new InputReader(files, options.reading);
  const findingsWriter = run ? new JsonlWriter(await run.staged('findings.jsonl.gz')) : undefined;
  const documentsWriter = run ? new JsonlWriter(await run.staged('documents.jsonl.gz')) : undefined;
  const rejectsWriter = run ? new JsonlWriter(await run.staged('rejects.jsonl'), { gzip: false }) : undefined;

  const concepts: Record<string, ConceptAudit> = Object.fromEntries(
    loaded.pack.concepts.map((concept) => [concept.id, { findings: 0, documents: 0, byDetector: {}, suppressed: 0, passages: [], suppressedPassages: [] }]),
  );
  const byDetector: Record<string, number> = Object.fromEntries(options.detectors.map((name) => [name, 0]));
  const histogram = new Array<number>(10).fill(0);
  let ranked: DocumentAudit[] = [];
  const documents = { total: 0, withFindings: 0, rejected: 0 };
  const otherLanguages: OtherLanguages = {};
  const sentences = { inDocumentsWithFindings: 0, flagged: 0 };
  let total = 0;
  let suppressedTotal = 0;
  const readStats: StageStats = { items: 0, ms: 0 };
  let seq = 0;
  const detectStats: StageStats = { items: 0, ms: 0 };
  const contextTally = options.reading.contextField === undefined ? undefined : emptyContextTally();
  const workFields = options.reading.contextField === undefined ? new WorkFieldTally(options.reading.idField, options.reading.textField) : undefined;

  try {
    for await (const { batch, result } of runner.run(batches(timed(reader.events(), readStats)))) {
      if (contextTally) tallyRuns(batch.documents, contextTally);
      for (const item of batch.items) {
        const recordSeq = seq++;
        if (item.event.kind === 'reject') {
          documents.rejected++;
          await rejectsWriter?.write(item.event.reject);
          continue;
        }
        const doc = item.event.doc;
        const outcome = result[item.slot];
        workFields?.observe(doc.source, doc.text.length);
        addSemanticStats(semantic, outcome.semantic);
        documents.total++;
        if (outcome.language) addOtherLanguages(otherLanguages, { [outcome.language]: { documents: 1, chars: doc.text.length } });
        detectStats.items++;
        for (const finding of outcome.suppressed) {
          const concept = concepts[finding.concept];
          concept.suppressed++;
          suppressedTotal++;
          if (concept.suppressedPassages.length < options.passages) concept.suppressedPassages.push(passage(doc.id, doc.text, finding));
        }
        if (outcome.findings.length === 0) continue;
        documents.withFindings++;
        const seen = new Set<string>();
        for (const finding of outcome.findings) {
          const concept = concepts[finding.concept];
          concept.findings++;
          concept.byDetector[finding.detector] = (concept.byDetector[finding.detector] ?? 0) + 1;
          byDetector[finding.detector] = (byDetector[finding.detector] ?? 0) + 1;
          total++;
          if (!seen.has(finding.concept)) concept.documents++;
          seen.add(finding.concept);
          if (concept.passages.length < options.passages) concept.passages.push(passage(doc.id, doc.text, finding));
          const record: Finding = { id: doc.id, seq: recordSeq, ...finding };
          await findingsWriter?.write(record);
        }
        const sentenceCount = outcome.sentences ?? 0;
        sentences.inDocumentsWithFindings += sentenceCount;
        sentences.flagged += outcome.flaggedSentences;
        const fraction = sentenceCount > 0 ? outcome.flaggedSentences / sentenceCount : 0;
        histogram[Math.min(9, Math.floor(fraction * 10))]++;
        const row: DocumentAudit = { id: doc.id, chars: doc.text.length, sentences: sentenceCount, flaggedSentences: outcome.flaggedSentences, flaggedFraction: Math.round(fraction * 10000) / 10000, concepts: [...seen].sort() };
        await documentsWriter?.write(row);
        ranked.push(row);
        if (ranked.length > 4 * MOST_FLAGGED) ranked = rankDocuments(ranked);
      }
      progress.update({ documents: documents.total + documents.rejected, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, elapsedMs: performance.now() - clock });
    }
    progress.finish({ documents: documents.total + documents.rejected, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, elapsedMs: performance.now() - clock });
    const workField = suggestWorkField(workFields?.result());

    const report: AuditReport = {
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      pack: { id: loaded.pack.id, version: loaded.pack.version, sha256: loaded.sha256 },
      inputs: reader.stats.map((input) => ({ path: input.path, sha256: input.sha256, bytes: input.bytes, records: input.records, rejected: input.rejected })),
      detectors: options.detectors,
      documents,
      languages: { pack: loaded.pack.language, other: sortedLanguages(otherLanguages) },
      sentences,
      findings: { total, suppressed: suppressedTotal, byDetector },
      semantic: options.detectors.includes('semantic') ? semantic : null,
      concepts,
      mostFlagged: rankDocuments(ranked),
      flaggedFractionHistogram: histogram,
      timings: { wallMs: Math.round(performance.now() - clock), stages: { read: readStats, detect: detectStats } },
      ...(contextTally ? { context: { field: options.reading.contextField!, ...contextTally } } : {}),
      ...(workField ? { workField } : {}),
    };
    if (workField) options.onWarning?.(workFieldSentence(workField));
    if (contextTally) for (const warning of contextWarnings(options.reading.contextField!, contextTally, documents.total)) options.onWarning?.(warning);
    const markdown = auditMarkdown(report);
    if (run) {
      const written = [await findingsWriter!.close(), await documentsWriter!.close(), await rejectsWriter!.close()];
      written.push(await run.writeFile('audit.json', JSON.stringify(report, null, 2) + '\n'), await run.writeFile('audit.md', markdown), await run.writeFile('report.html', renderAuditHtml(report)));
      const outputs = written.map((file) => run.manifestOutput(file));
      const manifest = {
        tool: { name: TOOL_NAME, version: TOOL_VERSION, build: toolBuild(), node: process.version },
        command: 'audit',
        inputs: reader.stats.map((input) => ({ ...input, resolved: input.path === '-' ? '-' : resolve(input.path) })),
        pack: { id: loaded.pack.id, version: loaded.pack.version, sha256: loaded.sha256, source: loaded.source, builtin: loaded.builtin },
        config: { format: options.format, reading: options.reading, detectors: options.detectors, passages: options.passages },
        outputs,
        counts: { input: documents.total + documents.rejected, documents: documents.total, rejected: documents.rejected },
        timings: report.timings,
      };
      await run.commit(outputs.map((output) => output.path), manifest);
    }
    return { report, markdown, outDir: options.out };
  } catch (error) {
    await run?.abort();
    throw error;
  } finally {
    await runner.close();
  }
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '0%';
}

export function auditMarkdown(report: AuditReport): string {
  const lines: string[] = [];
  const { documents, sentences } = report;
  lines.push(`# Lacuna audit: ${report.pack.id} ${report.pack.version}`, '');
  lines.push(
    `${documents.total} documents (${documents.rejected} rejected records); ${documents.withFindings} carry findings (${percent(documents.withFindings, documents.total)}). ` +
      `In those, ${sentences.flagged} of ${sentences.inDocumentsWithFindings} sentences are flagged (${percent(sentences.flagged, sentences.inDocumentsWithFindings)}).`,
    '',
  );
  if (report.context) lines.push(contextSentence(report.context, (text) => `\`${text}\``), '');
  if (report.workField) lines.push(`${workFieldSentence(report.workField, (text) => `\`${text}\``)}.`, '');
  lines.push(`${report.findings.total} findings by detector: ${Object.entries(report.findings.byDetector).map(([name, count]) => `${name} ${count}`).join(', ')}; ${report.findings.suppressed} suppressed inside keep contexts.`, '');
  const other = Object.entries(report.languages.other);
  if (other.length > 0) {
    lines.push(`Not in the pack's language (${report.languages.pack}), so read without being understood: ${other.map(([language, tally]) => `${language} ${tally.documents} document(s), ${tally.chars} characters`).join('; ')}.`, '');
  }
  lines.push('| concept | findings | documents | by detector | suppressed |', '|---|---:|---:|---|---:|');
  for (const [id, concept] of Object.entries(report.concepts)) {
    const detectors = report.detectors.filter((name) => concept.byDetector[name]).map((name) => `${name} ${concept.byDetector[name]}`).join(', ');
    lines.push(`| ${id} | ${concept.findings} | ${concept.documents} | ${detectors || '–'} | ${concept.suppressed} |`);
  }
  lines.push('', '## Share of sentences flagged per document', '', '| flagged | documents |', '|---|---:|');
  report.flaggedFractionHistogram.forEach((count, tenth) => lines.push(`| ${tenth * 10}–${tenth * 10 + 10}% | ${count} |`));
  if (report.mostFlagged.length > 0) {
    lines.push('', '## Most flagged documents', '', '| document | sentences | flagged | share | concepts |', '|---|---:|---:|---:|---|');
    for (const doc of report.mostFlagged.slice(0, 20)) lines.push(`| \`${doc.id}\` | ${doc.sentences} | ${doc.flaggedSentences} | ${percent(doc.flaggedSentences, doc.sentences)} | ${doc.concepts.join(', ')} |`);
  }
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  for (const [id, concept] of Object.entries(report.concepts)) {
    if (concept.passages.length === 0 && concept.suppressedPassages.length === 0) continue;
    lines.push('', `## ${id}`, '');
    for (const found of concept.passages) lines.push(`- \`${found.id}\` [${found.start}, ${found.end}) ${found.detector} ${found.score}: ${escape(found.context)}`);
    if (concept.suppressedPassages.length > 0) {
      lines.push('', 'Suppressed (inside keep contexts):', '');
      for (const found of concept.suppressedPassages) lines.push(`- \`${found.id}\` [${found.start}, ${found.end}): ${escape(found.context)}`);
    }
  }
  return lines.join('\n') + '\n';
}
