/**
 * Collateral damage: the legitimate knowledge a mask destroyed. Keep contexts
 * (the pre-cutoff look-alikes of the pack) and the words control probes rest
 * on are looked for inside the spans the policy removed; each one found there
 * is pre-cutoff knowledge the masked corpus no longer has at that place.
 */
import type { SpanEdit } from './edits.js';
import { PackVocabulary } from './detectors/vocabulary.js';
import type { Pack } from './pack/schema.js';
import type { Span } from './findings.js';

export interface CollateralHit {
  /** The keep context's label, or "control: <probe id>". */
  what: string;
  kind: 'keep' | 'control';
  start: number;
  end: number;
}

export class CollateralScanner {
  /** Keep contexts and control words: one vocabulary, so a removed span's text is read once. */
  private readonly vocabulary: PackVocabulary;

  constructor(pack: Pack) {
    this.vocabulary = new PackVocabulary(pack, undefined, new Set(['keep', 'control']));
  }

  /**
   * Keep contexts and control words lying wholly inside removed spans, and not
   * part of a finding ("relativity" inside "special theory of relativity" is the
   * target itself, not collateral).
   */
  scan(text: string, edits: readonly SpanEdit[], findings: readonly Span[]): CollateralHit[] {
    if (edits.length === 0) return [];
    const inside = (start: number, end: number) => edits.some((edit) => edit.start <= start && end <= edit.end);
    const inFinding = (start: number, end: number) => findings.some((finding) => finding.start < end && start < finding.end);
    const hits = new Map<string, CollateralHit>();
    for (const { entry, start, end } of this.vocabulary.scan(text)) {
      if (!inside(start, end) || inFinding(start, end)) continue;
      const hit: CollateralHit = entry.kind === 'keep' ? { what: entry.label ?? entry.match, kind: 'keep', start, end } : { what: `control: ${entry.probe} (${entry.match})`, kind: 'control', start, end };
      hits.set(`${hit.what}\u0000${hit.start}\u0000${hit.end}`, hit);
    }
    return [...hits.values()].sort((a, b) => a.start - b.start || a.what.localeCompare(b.what));
  }
}
