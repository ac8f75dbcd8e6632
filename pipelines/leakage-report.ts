/**
 * The leakage report of a masked corpus: what target knowledge the detectors
 * and the index still find in the output, per concept, with the passages.
 * JSON for machines, Markdown for people.
 */
import type { Span, SpanFinding } from '../maskers/findings.js';
import type { CollateralHit } from '../maskers/collateral.js';
import { splitParagraphs, TOGETHER_SEPARATOR } from '../maskers/segment/segmenter.js';
import { documentScale } from '../maskers/detectors/passage.js';
import { CONTEXT_MAX_CHARS } from './runtime/batches.js';
import { workFieldSentence, type WorkFieldHint } from './work-field-hint.js';
import { createHash } from 'node:crypto';
import type { ConceptVerification, ResidualPassage, VerificationReport } from './verify.js';
import { PASSAGE_HASH_LENGTH, type Waiver } from './waiver.js';
import type { Interval, LeakageEstimate } from './leakage-estimate.js';
import type { LabelledMeasure } from './labelled-sample.js';
import type { ProbeSummary } from './probe-summary.js';
import { estimateBase, estimateSaturated, redetectionClean, type LeakCheck, type VerificationStatus } from './leak-limit.js';

const CONTEXT_CHARS = 120;
const PASSAGES_PER_CONCEPT = 20;
const COLLATERAL_PASSAGES = 5;

export function markedContext(text: string, start: number, end: number, width = CONTEXT_CHARS): string {
  const before = text.slice(Math.max(0, start - width), start);
  const after = text.slice(end, end + width);
  const squash = (part: string) => part.replace(/\s+/g, ' ');
  return `${start > width ? '…' : ''}${squash(before)}⟦${squash(text.slice(start, end))}⟧${squash(after)}${end + width < text.length ? '…' : ''}`;
}

/**
 * A residual passage of a document: the span marked in its context, and the hash a waiver names
 * it by (of the marked context: one occurrence, the same on every rerun, whatever the id).
 */
export function residualPassage(id: string, text: string, start: number, end: number, detector: string, score: number, leak: boolean): ResidualPassage {
  const context = markedContext(text, start, end);
  return { id, start, end, detector, score, context, leak, hash: createHash('sha256').update(context).digest('hex').slice(0, PASSAGE_HASH_LENGTH) };
}

/** Collects the lexical residual findings of the output document by document, keeping a bounded sample of passages. */
export class LexicalResiduals {
  readonly counts: Record<string, number>;
  readonly passages: Record<string, ResidualPassage[]>;
  /** Findings cleared by the waiver, per concept. */
  readonly waived: Record<string, number>;

  constructor(
    conceptIds: string[],
    private readonly waiver?: Waiver,
  ) {
    this.counts = Object.fromEntries(conceptIds.map((id) => [id, 0]));
    this.passages = Object.fromEntries(conceptIds.map((id) => [id, []]));
    this.waived = Object.fromEntries(conceptIds.map((id) => [id, 0]));
  }

  add(id: string, text: string, residual: SpanFinding[]): void {
    for (const finding of residual) {
      const passage = residualPassage(id, text, finding.start, finding.end, finding.detector, finding.score, true);
      if (this.waiver?.reasons.has(passage.hash)) {
        this.waived[finding.concept]++;
        continue;
      }
      this.counts[finding.concept]++;
      const passages = this.passages[finding.concept];
      if (passages.length < PASSAGES_PER_CONCEPT) passages.push(passage);
    }
  }

  /** What a work unit found, as JSON for the merge. */
  state(): LexicalResidualState {
    return { counts: this.counts, passages: this.passages, waived: this.waived };
  }

  /** Adds a later unit's residuals: counts add up, passages keep the first ones in input order. */
  absorb(state: LexicalResidualState): void {
    for (const [concept, count] of Object.entries(state.counts)) this.counts[concept] = (this.counts[concept] ?? 0) + count;
    for (const [concept, count] of Object.entries(state.waived)) this.waived[concept] = (this.waived[concept] ?? 0) + count;
    for (const [concept, passages] of Object.entries(state.passages)) {
      const kept = (this.passages[concept] ??= []);
      kept.push(...passages.slice(0, Math.max(0, PASSAGES_PER_CONCEPT - kept.length)));
    }
  }
}

export interface LexicalResidualState {
  counts: Record<string, number>;
  passages: Record<string, ResidualPassage[]>;
  waived: Record<string, number>;
}

export type CollateralState = Omit<CollateralReport, 'removedShare'>;

/** The legitimate knowledge a run destroyed, per keep context and control word, with passages. */
export interface CollateralReport {
  inputChars: number;
  /**
   * Characters of documents that are one paragraph: the detectors' held-out recall there is the
   * one measured on paragraphs masked alone, not on paragraphs in their books.
   */
  singleParagraphChars: number;
  /**
   * Characters of documents of several paragraphs but fewer than the passage classifier averages a
   * score over (an article, a web page): their held-out rates are those measured on books cut into
   * such documents. Absent in older manifests.
   */
  shortDocumentChars?: number;
  removedChars: number;
  /**
   * Of removedChars, those removed as islands among kept text (see islandRemoval), of fewer than
   * ISLAND_SENTENCE_CHARS characters (`small`) and of more (`large`): target text found only in
   * scattered pieces is found at the rate of sentences, or of paragraphs, masked alone, not of
   * books, and the bound behind a PASSED verdict weighs them so. Absent in older manifests.
   */
  islandChars?: { small: number; large: number };
  removedShare: number;
  /** Keep contexts (by label) and control words found inside removed spans. */
  destroyed: Record<string, { kind: 'keep' | 'control'; count: number; passages: ResidualPassage[] }>;
}

/**
 * Removed text that is smaller than a measured paragraph (ISLAND_SENTENCE_CHARS): the held-out
 * recall that applies to it is that of sentences masked alone.
 */
export const ISLAND_SENTENCE_CHARS = 300;

/**
 * Characters of `removed` (sorted, disjoint spans) that were removed as islands among kept text:
 * from a paragraph that mostly stays (a sentence taken out of it), or from a paragraph that goes
 * (at least half of it) while neither neighbour does; a one-paragraph document that goes is one
 * (it has no neighbours). What goes in runs of paragraphs is not counted. `small`: the islands of
 * fewer than ISLAND_SENTENCE_CHARS characters (a sentence or two), `large` the others.
 */
export function islandRemoval(paragraphs: readonly Span[], removed: readonly Span[]): { small: number; large: number } {
  const inParagraph = new Float64Array(paragraphs.length);
  let first = 0;
  for (const span of removed) {
    while (first < paragraphs.length && paragraphs[first].end <= span.start) first++;
    for (let p = first; p < paragraphs.length && paragraphs[p].start < span.end; p++) {
      inParagraph[p] += Math.max(0, Math.min(span.end, paragraphs[p].end) - Math.max(span.start, paragraphs[p].start));
    }
  }
  const goes = (p: number) => p >= 0 && p < paragraphs.length && inParagraph[p] * 2 >= paragraphs[p].end - paragraphs[p].start;
  const islands = { small: 0, large: 0 };
  for (let p = 0; p < paragraphs.length; p++) {
    if (inParagraph[p] === 0 || (goes(p) && (goes(p - 1) || goes(p + 1)))) continue;
    if (inParagraph[p] < ISLAND_SENTENCE_CHARS) islands.small += inParagraph[p];
    else islands.large += inParagraph[p];
  }
  return islands;
}

/** Gathers collateral damage document by document, keeping a bounded sample of passages. */
export class CollateralCollector {
  private inputChars = 0;
  private singleParagraphChars = 0;
  private shortDocumentChars = 0;
  private removedChars = 0;
  private readonly islandChars = { small: 0, large: 0 };
  private readonly destroyed: CollateralReport['destroyed'] = {};

  /**
   * The scale of each context run, by the array of its texts (the same array for every record of
   * the run): joining and splitting the run once per record would cost its length squared.
   */
  private readonly runScales = new WeakMap<readonly string[], ReturnType<typeof documentScale>>();

  /** `smoothingSpan`: the pack's passage model's (documentScale); without one, no document is short. */
  constructor(private readonly smoothingSpan = 2) {}

  private scaleOf(text: string, together?: readonly string[]): ReturnType<typeof documentScale> {
    if (!together || together.length <= 1) return documentScale(splitParagraphs(text, this.smoothingSpan).length, this.smoothingSpan);
    let scale = this.runScales.get(together);
    if (scale === undefined) {
      scale = documentScale(splitParagraphs(together.join(TOGETHER_SEPARATOR), this.smoothingSpan).length, this.smoothingSpan);
      this.runScales.set(together, scale);
    }
    return scale;
  }

  /**
   * `removed`: the spans masking removed from `text` (sorted, disjoint). `together`: the texts the
   * document was detected with, itself among them (a context run), when more than itself: the
   * document is counted at the scale they were judged at together.
   */
  add(id: string, text: string, removed: readonly Span[], hits: CollateralHit[], together?: readonly string[]): void {
    this.inputChars += text.length;
    const scale = this.scaleOf(text, together);
    if (scale === 'paragraph') this.singleParagraphChars += text.length;
    else if (scale === 'short') this.shortDocumentChars += text.length;
    for (const span of removed) this.removedChars += span.end - span.start;
    if (removed.length > 0) {
      const islands = islandRemoval(splitParagraphs(text), removed);
      this.islandChars.small += islands.small;
      this.islandChars.large += islands.large;
    }
    for (const hit of hits) {
      const entry = (this.destroyed[hit.what] ??= { kind: hit.kind, count: 0, passages: [] });
      entry.count++;
      if (entry.passages.length < COLLATERAL_PASSAGES) entry.passages.push(residualPassage(id, text, hit.start, hit.end, hit.kind, 0, false));
    }
  }

  state(): CollateralState {
    return { inputChars: this.inputChars, singleParagraphChars: this.singleParagraphChars, shortDocumentChars: this.shortDocumentChars, removedChars: this.removedChars, islandChars: { ...this.islandChars }, destroyed: this.destroyed };
  }

  /** Adds a later unit's damage: counts add up, passages keep the first ones in input order. */
  absorb(state: CollateralState): void {
    this.inputChars += state.inputChars;
    this.singleParagraphChars += state.singleParagraphChars;
    this.shortDocumentChars += state.shortDocumentChars ?? 0;
    this.removedChars += state.removedChars;
    this.islandChars.small += state.islandChars?.small ?? 0;
    this.islandChars.large += state.islandChars?.large ?? 0;
    for (const [what, entry] of Object.entries(state.destroyed)) {
      const kept = (this.destroyed[what] ??= { kind: entry.kind, count: 0, passages: [] });
      kept.count += entry.count;
      kept.passages.push(...entry.passages.slice(0, Math.max(0, COLLATERAL_PASSAGES - kept.passages.length)));
    }
  }

  report(): CollateralReport {
    const destroyed = Object.fromEntries(Object.entries(this.destroyed).sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1)));
    return { inputChars: this.inputChars, singleParagraphChars: this.singleParagraphChars, shortDocumentChars: this.shortDocumentChars, removedChars: this.removedChars, islandChars: { ...this.islandChars }, removedShare: this.inputChars ? Math.round((this.removedChars / this.inputChars) * 10000) / 10000 : 0, destroyed };
  }
}

/** The detectors that re-checked an output, in words. */
function methodsInWords(detectors: readonly string[]): string {
  const parts: string[] = [];
  const rules = detectors.filter((name) => name === 'lexical' || name === 'entity' || name === 'context');
  if (rules.length > 0) parts.push(`rules (${rules.join(', ')})`);
  if (detectors.includes('passage')) parts.push('the learned passage classifier');
  if (detectors.includes('semantic')) parts.push('the sentence encoder over an index of the output');
  return parts.length > 0 ? parts.join(', ') : 'no detector';
}

/** A share as a percentage: one decimal below 10%, none above. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** A limit as a percentage, with as many decimals as it needs (0.1%, 1%, 0.05%). */
function limitPercent(limit: number): string {
  return `${Number((limit * 100).toPrecision(2))}%`;
}

const STATUS_WORDS: Record<VerificationStatus, string> = { passed: 'PASSED', failed: 'FAILED', inconclusive: 'INCONCLUSIVE' };

/** What measures a run the held-out estimate cannot clear. */
const LABEL_A_SAMPLE = 'Label a sample (`lacuna verify RUN --sample N`, then `--labels`) to measure it.';

/** The sentence that weighs the target text left against --max-leak (see leak-limit.ts). */
function leakSentence(leak: LeakCheck): string {
  const allowed = `the ${limitPercent(leak.limit)} of the output --max-leak allows`;
  const by = leak.measure === 'labels' ? 'By the labelled sample' : 'By the estimate';
  // A bound of 0.03% must not print as 0.0%.
  const share = (value: number) => (value > 0 && value < 0.1 ? limitPercent(value) : percent(value));
  const unread = leak.unscreenedChars ? ` and counting the ${leak.unscreenedChars.toLocaleString('en-US')} characters in another language, which the pack's detectors cannot read, as target text` : '';
  const top = leak.measure === 'labels' ? '95% upper bound' : `95% upper bound, assuming no false removal at all${unread}`;
  // The held-out estimate assumes the corpus's target text is found as the training books' is; only a
  // labelled sample measures without that assumption, so a run the estimate does not clear says how.
  const measure = leak.measure === 'estimate' ? ` ${LABEL_A_SAMPLE}` : '';
  if (leak.outcome === 'within') return `${by}, target text is at most ${share(leak.share!.high)} of the output (${top}), within ${allowed}.`;
  if (leak.outcome === 'over') return `${by}, target text is ${share(leak.share!.estimate)} of the output, over ${allowed}.${measure}`;
  if (leak.share) return `${by}, target text may be up to ${share(leak.share.high)} of the output (${top}), over ${allowed}: not shown clean.${measure}`;
  return `Nothing shows target text within ${allowed}: not shown clean.`;
}

/**
 * The verdict in one sentence, with the methods behind it and their measured strength. Its first
 * word is the status leak-limit.ts decides; a clean re-detection is never PASSED on its own: it
 * says what it checked, the estimate of target text left (with its interval) or that nothing
 * measured it, and how that compares with the limit.
 */
export function verdictLine(report: Pick<VerificationReport, 'status' | 'leak' | 'integrity' | 'concepts' | 'detectors' | 'estimate' | 'estimateUnavailable' | 'maxResidual' | 'labels'>): string {
  if (report.integrity && !report.integrity.passed) return `Verification: FAILED. The run directory does not match its manifest (${report.integrity.problems.length} integrity problem(s)), so nothing in it can be trusted.`;
  const parts = [detectorVerdict(report)];
  const labels = report.labels;
  if (labels) {
    const share = (value: { estimate: number; low: number; high: number }) => `${percent(value.estimate)} (95% ${percent(value.low)}–${percent(value.high)})`;
    parts.push(`Measured on ${labels.leakage.labelled + labels.collateral.labelled} labelled passages: ${share(labels.leakage)} of kept passages are target knowledge; ${share(labels.collateral)} of removed passages are not.`);
  }
  parts.push(leakSentence(report.leak));
  return parts.join(' ');
}

function detectorVerdict(report: Pick<VerificationReport, 'status' | 'concepts' | 'detectors' | 'estimate' | 'estimateUnavailable' | 'maxResidual'>): string {
  const methods = methodsInWords(report.detectors);
  const residual = Object.values(report.concepts).reduce((sum, concept) => sum + concept.lexical + concept.semantic, 0);
  const found = redetectionClean(report) ? `re-detection by ${methods} left ${residual} finding(s) (${report.maxResidual} allowed per concept)` : `re-detection by ${methods} left ${residual} finding(s), more than the ${report.maxResidual} allowed per concept`;
  const status = STATUS_WORDS[report.status];
  const estimate = report.estimate;
  if (!estimate) return `Verification: ${status}: ${found}. No estimate of the target text left: ${report.estimateUnavailable ?? 'none was made'}. Re-detection cannot see what its own detectors miss, so this is not a measure of leakage.`;
  const left = estimate.remainingChars;
  const whole = estimateBase(estimate);
  const where = estimate.masked ? 'left in the output' : 'in the corpus';
  const rates = `the detectors' held-out recall of ${percent(estimate.recall.estimate)} (${percent(estimate.recall.low)}–${percent(estimate.recall.high)}) on ${estimate.books.positive} target books`;
  // Removed far more than the held-out recall expects: the estimate (capped at the output) reaches all of
  // the output and says nothing, whatever its interval's low end.
  if (estimateSaturated(estimate)) {
    return `Verification: ${status}: ${found}. The estimate of target text left reaches all ${whole.toLocaleString('en-US')} characters of the output: at ${rates}, what was removed implies as much target text missed as the output holds, or more; held-out books cannot tell that from a corpus where everything was found. ${LABEL_A_SAMPLE}`;
  }
  return `Verification: ${status}: ${found}. Estimated target text ${where}: ${left.estimate.toLocaleString('en-US')} characters (95% interval ${left.low.toLocaleString('en-US')}–${left.high.toLocaleString('en-US')}), ${percent(left.estimate / whole)} of it, from ${rates} (book-level labels: the estimate leans high).`;
}

/** What a run did, as far as the report knows it (a verify of any corpus knows only the pack). */
export interface RunSummaryForReport {
  pack: { id: string; version: string };
  counts?: { input: number; kept: number; edited: number; dropped: number; rejected: number };
  findingsByConcept?: Record<string, number>;
  removedCharsByConcept?: Record<string, number>;
  suppressed?: number;
  /** With `--context-field`: how the records were gathered (Manifest.context). */
  context?: { field: string; records: number; runs: number; joined: number; capped?: number };
  /** Without it: a field that may name the work short records come from (work-field-hint.ts). */
  workField?: WorkFieldHint;
}

/** How a run's records were detected together (`--context-field`), in one sentence; `code` marks up an option as code. */
export function contextSentence(context: NonNullable<RunSummaryForReport['context']>, code: (text: string) => string): string {
  const capped = context.capped ? ` ${context.capped} run(s) reached ${CONTEXT_MAX_CHARS / 2 ** 20} MiB of text and went on as new runs: a field that names no single work.` : '';
  return `Detected together (${code(`--context-field ${context.field}`)}): ${context.records} record(s) had the field; ${context.joined} of them in ${context.runs} run(s) of two or more records that follow one another with the same value, each run judged as one text.${capped}`;
}

function conceptRow(id: string, concept: ConceptVerification, summary: RunSummaryForReport, left: Interval | undefined): string {
  const known = (value: number | undefined) => (value === undefined ? '–' : String(value));
  const estimate = left ? `${left.estimate} (${left.low}–${left.high})` : '–';
  return `| ${id} | ${known(summary.findingsByConcept?.[id])} | ${known(summary.removedCharsByConcept?.[id])} | ${concept.lexical} | ${concept.semantic} | ${concept.waived} | ${estimate} | ${concept.passed ? 'pass' : '**FAIL**'} |`;
}

function probesSection(probes: ProbeSummary): string[] {
  const lines = ['## Probes verified against this corpus', '', `From ${probes.dir}.`, '', '| kind | passed | failed |', '|---|---:|---:|'];
  for (const [kind, count] of Object.entries(probes.byKind)) lines.push(`| ${kind} | ${count.passed} | ${count.failed} |`);
  lines.push('');
  for (const failure of probes.failures.slice(0, 50)) lines.push(`- ${failure.kind} \`${failure.id}\` (${failure.concept}): ${failure.failed.join('; ').replace(/\|/g, '\\|')}`);
  if (probes.failures.length > 0) lines.push('');
  return lines;
}

function labelsSection(labels: LabelledMeasure): string[] {
  const share = (value: { estimate: number; low: number; high: number }) => `${percent(value.estimate)} (${percent(value.low)}–${percent(value.high)})`;
  const lines = ['## Measured on labelled passages', '', `${labels.file} (sha256 ${labels.sha256})`, '', '| side | band | passages in the run | labelled | target | target share (95% Wilson) |', '|---|---|---:|---:|---:|---:|'];
  for (const stratum of labels.strata) lines.push(`| ${stratum.side} | ${stratum.band} | ${stratum.passages} | ${stratum.labelled} | ${stratum.targets} | ${share(stratum.share)} |`);
  lines.push('', `Leakage (target passages among the kept, strata weighted by size): ${share(labels.leakage)}. Collateral damage (non-target passages among the removed): ${share(labels.collateral)}.`, '');
  return lines;
}

function estimateSection(estimate: LeakageEstimate): string[] {
  const row = (what: string, value: { estimate: number; low: number; high: number }, format: (n: number) => string) => `| ${what} | ${format(value.estimate)} | ${format(value.low)} – ${format(value.high)} |`;
  const chars = (n: number) => n.toLocaleString('en-US');
  return [
    estimate.masked ? '## Estimated target text left' : '## Estimated target text in the corpus',
    '',
    '| quantity | estimate | 95% interval |',
    '|---|---:|---:|',
    row(estimate.masked ? 'target characters in the input' : 'target characters in the corpus', estimate.targetChars, chars),
    ...(estimate.masked ? [row('target characters left in the output', estimate.remainingChars, chars)] : []),
    row('held-out recall of the detectors (target books)', estimate.recall, percent),
    row('held-out removal from other books', estimate.falseRemoval, percent),
    '',
    `${estimate.removedChars.toLocaleString('en-US')} of ${estimate.inputChars.toLocaleString('en-US')} characters were removed. Method: ${estimate.method}. It assumes the corpus's target text resembles the training books'; a labelled sample (\`lacuna verify RUN --sample N\`, then \`--labels\`) measures it without that assumption.`,
    '',
  ];
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
  lines.push(`**${verification.verdict}**`, '');
  for (const method of verification.methods) lines.push(`- ${method}`);
  lines.push('');
  if (verification.estimate) lines.push(...estimateSection(verification.estimate));
  if (verification.labels) lines.push(...labelsSection(verification.labels));
  if (verification.probes) lines.push(...probesSection(verification.probes));
  if (verification.outputScores) {
    lines.push('## How close the kept text comes', '', '| passage score of output paragraphs | paragraphs |', '|---|---:|');
    for (const row of verification.outputScores) lines.push(`| ${row.band} | ${row.paragraphs} |`);
    lines.push('');
  }
  if (verification.waiver) lines.push(`Waiver ${verification.waiver.path} (sha256 ${verification.waiver.sha256}): ${verification.waiver.applied} residual finding(s) cleared as reviewed false positives (${verification.waiver.entries} passage(s) listed).`, '');
  if (verification.integrity && verification.integrity.problems.length > 0) {
    lines.push('## Integrity problems', '');
    for (const problem of verification.integrity.problems) lines.push(`- ${problem}`);
    lines.push('');
  }
  const c = summary.counts;
  if (c && c.input > 0) lines.push(`Documents: ${c.input} in, ${c.kept} kept unchanged, ${c.edited} edited, ${c.dropped} dropped, ${c.rejected} rejected.`, '');
  if (summary.context) lines.push(contextSentence(summary.context, (code) => `\`${code}\``), '');
  if (summary.workField) lines.push(`${workFieldSentence(summary.workField, (code) => `\`${code}\``)}.`, '');
  if (summary.suppressed) lines.push(`${summary.suppressed} match(es) were suppressed inside keep contexts.`, '');
  lines.push('| concept | findings in input | characters removed | residual (re-detection) | residual (semantic) | waived | target characters left, estimated (95%) | verdict |', '|---|---:|---:|---:|---:|---:|---:|---|');
  for (const [id, concept] of Object.entries(verification.concepts)) lines.push(conceptRow(id, concept, summary, verification.estimate?.remainingByConcept[id]));
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
