/**
 * The leakage report of a masked corpus: what target knowledge the detectors
 * and the index still find in the output, per concept, with the passages.
 * JSON for machines, Markdown for people.
 */
import type { SpanFinding } from '../maskers/findings.js';
import type { ConceptVerification, ResidualPassage, VerificationReport } from './verify.js';

const CONTEXT_CHARS = 120;
const PASSAGES_PER_CONCEPT = 20;

export function markedContext(text: string, start: number, end: number, width = CONTEXT_CHARS): string {
  const before = text.slice(Math.max(0, start - width), start);
  const after = text.slice(end, end + width);
  const squash = (part: string) => part.replace(/\s+/g, ' ');
  return `${start > width ? '…' : ''}${squash(before)}⟦${squash(text.slice(start, end))}⟧${squash(after)}${end + width < text.length ? '…' : ''}`;
}

/** Collects the lexical residual findings of the output document by document, keeping a bounded sample of passages. */
export class LexicalResiduals {
  readonly counts: Record<string, number>;
  readonly passages: Record<string, ResidualPassage[]>;

  constructor(conceptIds: string[]) {
    this.counts = Object.fromEntries(conceptIds.map((id) => [id, 0]));
    this.passages = Object.fromEntries(conceptIds.map((id) => [id, []]));
  }

  add(id: string, text: string, residual: SpanFinding[]): void {
    for (const finding of residual) {
      this.counts[finding.concept]++;
      const passages = this.passages[finding.concept];
      if (passages.length < PASSAGES_PER_CONCEPT) passages.push({ id, start: finding.start, end: finding.end, detector: finding.detector, score: finding.score, context: markedContext(text, finding.start, finding.end), leak: true });
    }
  }
}

export interface RunSummaryForReport {
  pack: { id: string; version: string };
  counts: { input: number; kept: number; edited: number; dropped: number; rejected: number };
  findingsByConcept: Record<string, number>;
  removedCharsByConcept: Record<string, number>;
  suppressed: number;
}

function conceptRow(id: string, concept: ConceptVerification, summary: RunSummaryForReport): string {
  return `| ${id} | ${summary.findingsByConcept[id] ?? 0} | ${summary.removedCharsByConcept[id] ?? 0} | ${concept.lexical} | ${concept.semantic} | ${concept.passed ? 'pass' : '**FAIL**'} |`;
}

export function leakageMarkdown(summary: RunSummaryForReport, verification: VerificationReport): string {
  const lines: string[] = [];
  lines.push(`# Lacuna leakage report: ${summary.pack.id} ${summary.pack.version}`, '');
  lines.push(`**Verification: ${verification.passed ? 'PASSED' : 'FAILED'}** (at most ${verification.maxResidual} residual finding(s) per concept).`, '');
  for (const method of verification.methods) lines.push(`- ${method}`);
  lines.push('');
  if (verification.integrity && verification.integrity.problems.length > 0) {
    lines.push('## Integrity problems', '');
    for (const problem of verification.integrity.problems) lines.push(`- ${problem}`);
    lines.push('');
  }
  const c = summary.counts;
  if (c.input > 0) lines.push(`Documents: ${c.input} in, ${c.kept} kept unchanged, ${c.edited} edited, ${c.dropped} dropped, ${c.rejected} rejected.`, '');
  if (summary.suppressed > 0) lines.push(`${summary.suppressed} match(es) were suppressed inside keep contexts.`, '');
  lines.push('| concept | findings in input | characters removed | lexical residual | semantic residual | verdict |', '|---|---:|---:|---:|---:|---|');
  for (const [id, concept] of Object.entries(verification.concepts)) lines.push(conceptRow(id, concept, summary));
  if (verification.index) {
    const index = verification.index;
    const timing = index.buildMs !== undefined ? ` built in ${index.buildMs} ms, queried in ${index.queryMs} ms;` : '';
    lines.push('', `Index: ${index.units} sentences, ${index.dimensions} dimensions, M=${index.parameters.m}, ef=${index.parameters.efSearch}; recall@10 against exact search ${index.recallAt10};${timing} ${index.candidatesScored} nearest passages scored by the encoder.`);
  }
  const withPassages = Object.entries(verification.concepts).filter(([, concept]) => concept.passages.length > 0);
  if (withPassages.length > 0) {
    lines.push('', '## Residual and nearest passages', '');
    for (const [id, concept] of withPassages) {
      lines.push(`### ${id}`, '');
      for (const passage of concept.passages) {
        const label = passage.leak ? 'LEAK' : 'nearest';
        lines.push(`- ${label} \`${passage.id}\` [${passage.start}, ${passage.end}) ${passage.detector} ${passage.score}: ${passage.context.replace(/\|/g, '\\|')}`);
      }
      lines.push('');
    }
  }
  return lines.join('\n') + '\n';
}
