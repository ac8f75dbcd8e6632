/**
 * The leakage report of a masked corpus: what target knowledge the detectors
 * and the index still find in the output, per concept, with the passages.
 * JSON for machines, Markdown for people.
 */
import type { SpanFinding } from '../maskers/findings.js';
import type { CollateralHit } from '../maskers/collateral.js';
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

/** The legitimate knowledge a run destroyed, per keep context and control word, with passages. */
export interface CollateralReport {
  inputChars: number;
  removedChars: number;
  removedShare: number;
  /** Keep contexts (by label) and control words found inside removed spans. */
  destroyed: Record<string, { kind: 'keep' | 'control'; count: number; passages: ResidualPassage[] }>;
}

/** Gathers collateral damage document by document, keeping a bounded sample of passages. */
export class CollateralCollector {
  private inputChars = 0;
  private removedChars = 0;
  private readonly destroyed: CollateralReport['destroyed'] = {};

  add(id: string, text: string, removed: number, hits: CollateralHit[]): void {
    this.inputChars += text.length;
    this.removedChars += removed;
    for (const hit of hits) {
      const entry = (this.destroyed[hit.what] ??= { kind: hit.kind, count: 0, passages: [] });
      entry.count++;
      if (entry.passages.length < 5) entry.passages.push({ id, start: hit.start, end: hit.end, detector: hit.kind, score: 0, context: markedContext(text, hit.start, hit.end), leak: false });
    }
  }

  report(): CollateralReport {
    const destroyed = Object.fromEntries(Object.entries(this.destroyed).sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1)));
    return { inputChars: this.inputChars, removedChars: this.removedChars, removedShare: this.inputChars ? Math.round((this.removedChars / this.inputChars) * 10000) / 10000 : 0, destroyed };
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

function collateralSection(collateral: CollateralReport): string[] {
  const lines = ['## Collateral damage: legitimate knowledge removed', ''];
  lines.push(`${collateral.removedChars} of ${collateral.inputChars} characters removed (${(collateral.removedShare * 100).toFixed(2)}%).`, '');
  const entries = Object.entries(collateral.destroyed);
  if (entries.length === 0) {
    lines.push('No keep context and no word a control probe rests on lies inside a removed span.', '');
    return lines;
  }
  lines.push('| kept knowledge inside removed spans | kind | occurrences |', '|---|---|---:|');
  for (const [what, entry] of entries) lines.push(`| ${what.replace(/\|/g, '\\|')} | ${entry.kind} | ${entry.count} |`);
  lines.push('');
  for (const [what, entry] of entries.slice(0, 10)) {
    lines.push(`### ${what}`, '');
    for (const passage of entry.passages) lines.push(`- \`${passage.id}\` [${passage.start}, ${passage.end}): ${passage.context.replace(/\|/g, '\\|')}`);
    lines.push('');
  }
  return lines;
}

export function leakageMarkdown(summary: RunSummaryForReport, verification: VerificationReport, collateral?: CollateralReport): string {
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
  // Collateral damage is as much a failure of a mask as leakage: it comes right after the verdicts.
  if (collateral) lines.push('', ...collateralSection(collateral));
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
