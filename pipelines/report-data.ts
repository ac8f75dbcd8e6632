/**
 * What the HTML report shows beyond the verification: how removal spread over documents and
 * inputs, how findings scored, and a few documents before and after. Gathered document by
 * document in a bounded amount of memory; the sample of documents is chosen by a hash of their
 * position, so the same run gives the same report bytes.
 */
import { createHash } from 'node:crypto';
import type { Edit, SpanEdit } from '../maskers/edits.js';
import type { SpanFinding } from '../maskers/findings.js';

const BINS = 10;
/** Documents shown before and after, and how much of each. */
const SAMPLED_DOCUMENTS = 4;
const SAMPLE_CHARS = 6000;

export interface InputBreakdown {
  file: string;
  documents: number;
  kept: number;
  edited: number;
  dropped: number;
  rejected: number;
  chars: number;
  removedChars: number;
}

export interface SampledDocument {
  id: string;
  seq: number;
  action: 'keep' | 'edit' | 'drop';
  /** The start of the input text (at most SAMPLE_CHARS), with the edits and findings inside it. */
  text: string;
  truncated: boolean;
  edits: Pick<Edit, 'start' | 'end' | 'concept' | 'unit'>[];
  findings: Pick<SpanFinding, 'start' | 'end' | 'concept' | 'detector' | 'score' | 'evidence'>[];
}

export interface ReportData {
  /** Documents by the share of their characters removed, in tenths (the last bin holds 100%). */
  removalHistogram: number[];
  /** Findings by score, in tenths, per detector. */
  scoreHistograms: Record<string, number[]>;
  inputs: InputBreakdown[];
  samples: SampledDocument[];
}

function bin(share: number): number {
  return Math.min(BINS - 1, Math.max(0, Math.floor(share * BINS)));
}

/** A collector's content as JSON, for a work unit to hand to the merge. */
export interface ReportState {
  removal: number[];
  scores: Record<string, number[]>;
  inputs: InputBreakdown[];
  candidates: { key: string; sample: SampledDocument }[];
}

export class ReportCollector {
  private readonly removal = new Array<number>(BINS).fill(0);
  private readonly scores: Record<string, number[]> = {};
  private readonly inputs = new Map<string, InputBreakdown>();
  private candidates: { key: string; sample: SampledDocument }[] = [];

  /** `unit` makes the sample's hash keys differ between work units, whose record positions restart at 0. */
  constructor(private readonly unit = 0) {}

  state(): ReportState {
    return { removal: [...this.removal], scores: this.scores, inputs: [...this.inputs.values()], candidates: this.candidates };
  }

  /** Adds a later unit's data; its records' positions start at `seqBase` in the run. */
  absorb(state: ReportState, seqBase: number): void {
    state.removal.forEach((count, at) => (this.removal[at] += count));
    for (const [detector, bins] of Object.entries(state.scores)) {
      const mine = (this.scores[detector] ??= new Array<number>(BINS).fill(0));
      bins.forEach((count, at) => (mine[at] += count));
    }
    for (const input of state.inputs) {
      const mine = this.input(input.file);
      for (const field of ['documents', 'kept', 'edited', 'dropped', 'rejected', 'chars', 'removedChars'] as const) mine[field] += input[field];
    }
    const moved = state.candidates.map(({ key, sample }) => ({ key, sample: { ...sample, seq: sample.seq + seqBase } }));
    this.candidates = [...this.candidates, ...moved].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, SAMPLED_DOCUMENTS);
  }

  private input(file: string): InputBreakdown {
    return this.inputs.get(file) ?? this.inputs.set(file, { file, documents: 0, kept: 0, edited: 0, dropped: 0, rejected: 0, chars: 0, removedChars: 0 }).get(file)!;
  }

  reject(file: string): void {
    this.input(file).rejected++;
  }

  document(file: string, seq: number, id: string, text: string, action: 'keep' | 'edit' | 'drop', edits: readonly SpanEdit[], findings: readonly SpanFinding[]): void {
    const removed = action === 'drop' ? text.length : edits.reduce((sum, edit) => sum + edit.end - edit.start, 0);
    const input = this.input(file);
    input.documents++;
    input[action === 'keep' ? 'kept' : action === 'edit' ? 'edited' : 'dropped']++;
    input.chars += text.length;
    input.removedChars += removed;
    this.removal[bin(text.length === 0 ? 0 : removed / text.length)]++;
    for (const finding of findings) (this.scores[finding.detector] ??= new Array<number>(BINS).fill(0))[bin(finding.score)]++;
    // Documents something happened to are the ones worth seeing; the hash makes the choice repeatable.
    if (action === 'keep' && findings.length === 0) return;
    const key = createHash('sha256').update(`${this.unit}:${seq}`).digest('hex');
    if (this.candidates.length >= SAMPLED_DOCUMENTS && key >= this.candidates[this.candidates.length - 1].key) return;
    const shown = text.slice(0, SAMPLE_CHARS);
    const inside = <T extends { start: number; end: number }>(span: T) => span.start < shown.length;
    const clip = <T extends { start: number; end: number }>(span: T) => ({ ...span, end: Math.min(span.end, shown.length) });
    const sample: SampledDocument = {
      id,
      seq,
      action,
      text: shown,
      truncated: shown.length < text.length,
      edits: edits.filter(inside).map((edit) => clip({ start: edit.start, end: edit.end, concept: edit.concept, unit: edit.unit })),
      findings: findings.filter(inside).map((finding) => clip({ start: finding.start, end: finding.end, concept: finding.concept, detector: finding.detector, score: finding.score, evidence: finding.evidence })),
    };
    this.candidates.push({ key, sample });
    this.candidates.sort((a, b) => (a.key < b.key ? -1 : 1));
    if (this.candidates.length > SAMPLED_DOCUMENTS) this.candidates.pop();
  }

  report(): ReportData {
    return {
      removalHistogram: [...this.removal],
      scoreHistograms: Object.fromEntries(Object.entries(this.scores).sort(([a], [b]) => (a < b ? -1 : 1))),
      inputs: [...this.inputs.values()],
      samples: [...this.candidates].sort((a, b) => a.sample.seq - b.sample.seq).map((entry) => entry.sample),
    };
  }
}
