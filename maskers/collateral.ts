/**
 * Collateral damage: the legitimate knowledge a mask destroyed. Keep contexts
 * (the pre-cutoff look-alikes of the pack) and the words control probes rest
 * on are looked for inside the spans the policy removed; each one found there
 * is pre-cutoff knowledge the masked corpus no longer has at that place.
 */
import type { SpanEdit } from './edits.js';
import { PhraseMatcher } from './detectors/phrase-matcher.js';
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
  private readonly keeps: PackVocabulary;
  private readonly controlWords: string[] = [];
  private readonly controlProbes: string[] = [];
  private readonly controls: PhraseMatcher;

  constructor(pack: Pack) {
    this.keeps = new PackVocabulary(pack, undefined, new Set(['keep']));
    for (const concept of pack.concepts) {
      for (const probe of concept.probes) {
        if (probe.kind !== 'control') continue;
        for (const word of probe.evidence) {
          this.controlWords.push(word);
          this.controlProbes.push(probe.id);
        }
      }
    }
    this.controls = new PhraseMatcher(this.controlWords);
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
    const add = (hit: CollateralHit) => {
      if (inside(hit.start, hit.end) && !inFinding(hit.start, hit.end)) hits.set(`${hit.what}\u0000${hit.start}\u0000${hit.end}`, hit);
    };
    for (const match of this.keeps.scan(text)) if (match.entry.kind === 'keep') add({ what: match.entry.label ?? match.entry.match, kind: 'keep', start: match.start, end: match.end });
    for (const match of this.controls.scan(text)) add({ what: `control: ${this.controlProbes[match.phrase]} (${this.controlWords[match.phrase]})`, kind: 'control', start: match.start, end: match.end });
    return [...hits.values()].sort((a, b) => a.start - b.start || a.what.localeCompare(b.what));
  }
}
