/**
 * The leakage report of a masked corpus: what target knowledge the detectors
 * still find in the output, per concept, with the passages. JSON for
 * machines, Markdown for people.
 */
import type { SpanFinding } from '../maskers/findings.js';

export interface LeakPassage {
  id: string;
  start: number;
  end: number;
  match: string;
  /** The passage around the match, with the match marked as ⟦…⟧. */
  context: string;
}

export interface ConceptLeakage {
  residual: number;
  documents: number;
  passed: boolean;
  passages: LeakPassage[];
}

export interface LeakageReport {
  method: string;
  /** A run fails verification when a concept has more residual findings than this. */
  maxResidual: number;
  passed: boolean;
  residualTotal: number;
  concepts: Record<string, ConceptLeakage>;
}

const CONTEXT_CHARS = 120;
const PASSAGES_PER_CONCEPT = 20;

export function markedContext(text: string, start: number, end: number, width = CONTEXT_CHARS): string {
  const before = text.slice(Math.max(0, start - width), start);
  const after = text.slice(end, end + width);
  const squash = (part: string) => part.replace(/\s+/g, ' ');
  return `${start > width ? '…' : ''}${squash(before)}⟦${squash(text.slice(start, end))}⟧${squash(after)}${end + width < text.length ? '…' : ''}`;
}

/** Collects residual findings document by document, keeping a bounded sample of passages. */
export class LeakageCollector {
  private readonly concepts = new Map<string, ConceptLeakage>();

  constructor(
    conceptIds: string[],
    private readonly maxResidual: number,
  ) {
    for (const id of conceptIds) this.concepts.set(id, { residual: 0, documents: 0, passed: true, passages: [] });
  }

  add(id: string, text: string, residual: SpanFinding[]): void {
    const seen = new Set<string>();
    for (const finding of residual) {
      const concept = this.concepts.get(finding.concept)!;
      concept.residual++;
      if (!seen.has(finding.concept)) concept.documents++;
      seen.add(finding.concept);
      if (concept.passages.length < PASSAGES_PER_CONCEPT) {
        concept.passages.push({ id, start: finding.start, end: finding.end, match: text.slice(finding.start, finding.end), context: markedContext(text, finding.start, finding.end) });
      }
    }
  }

  report(): LeakageReport {
    let residualTotal = 0;
    let passed = true;
    const concepts: Record<string, ConceptLeakage> = {};
    for (const [id, concept] of [...this.concepts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      concept.passed = concept.residual <= this.maxResidual;
      passed &&= concept.passed;
      residualTotal += concept.residual;
      concepts[id] = concept;
    }
    return { method: 'lexical re-detection on the masked output', maxResidual: this.maxResidual, passed, residualTotal, concepts };
  }
}

export interface RunSummaryForReport {
  pack: { id: string; version: string };
  counts: { input: number; kept: number; edited: number; dropped: number; rejected: number };
  findingsByConcept: Record<string, number>;
  removedCharsByConcept: Record<string, number>;
  suppressed: number;
}

export function leakageMarkdown(summary: RunSummaryForReport, leakage: LeakageReport): string {
  const lines: string[] = [];
  lines.push(`# Lacuna leakage report: ${summary.pack.id} ${summary.pack.version}`, '');
  lines.push(`**Verification: ${leakage.passed ? 'PASSED' : 'FAILED'}** (${leakage.method}; at most ${leakage.maxResidual} residual finding(s) per concept).`, '');
  const c = summary.counts;
  lines.push(`Documents: ${c.input} in, ${c.kept} kept unchanged, ${c.edited} edited, ${c.dropped} dropped, ${c.rejected} rejected.`, '');
  if (summary.suppressed > 0) lines.push(`${summary.suppressed} match(es) were suppressed inside keep contexts.`, '');
  lines.push('| concept | findings in input | characters removed | residual in output | verdict |', '|---|---:|---:|---:|---|');
  for (const [id, concept] of Object.entries(leakage.concepts)) {
    lines.push(`| ${id} | ${summary.findingsByConcept[id] ?? 0} | ${summary.removedCharsByConcept[id] ?? 0} | ${concept.residual} | ${concept.passed ? 'pass' : '**FAIL**'} |`);
  }
  const leaking = Object.entries(leakage.concepts).filter(([, concept]) => concept.passages.length > 0);
  if (leaking.length > 0) {
    lines.push('', '## Residual passages', '');
    for (const [id, concept] of leaking) {
      lines.push(`### ${id}`, '');
      for (const passage of concept.passages) lines.push(`- \`${passage.id}\` [${passage.start}, ${passage.end}): ${passage.context.replace(/\|/g, '\\|')}`);
      if (concept.residual > concept.passages.length) lines.push(`- … and ${concept.residual - concept.passages.length} more`);
      lines.push('');
    }
  }
  return lines.join('\n') + '\n';
}
