/**
 * Human labels close the loop: `lacuna verify RUN --sample N` draws a stratified random sample
 * of the run's passages (paragraphs of its input), kept and removed, by score band of the pack's
 * passage classifier, into a TSV a person labels (1: target knowledge, 0: not);
 * `lacuna verify RUN --labels FILE` reads it back and measures leakage (target passages among the
 * kept) and collateral damage (non-target among the removed), with Wilson intervals, per band
 * and for each side as a whole (strata weighted by their size in the run).
 *
 * Strata are (side, band): sampling within each, weighted back by its size, keeps the rare bands
 * that matter (kept passages scored just under the threshold) from being drowned by the many
 * passages nobody doubts.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../corpora/errors.js';
import type { Manifest } from '../corpora/manifest.js';
import { readRecords } from '../corpora/readers/records.js';
import { runInputDocuments } from '../corpora/run-inputs.js';
import { readUserFile } from '../corpora/user-file.js';
import { loadPassageModel, SCORE_BANDS, scoreBand, scoreParagraphs } from '../maskers/detectors/passage.js';
import type { Edit } from '../maskers/edits.js';
import type { Pack } from '../maskers/pack/schema.js';
import { join } from 'node:path';

/** A passage counts as removed when at least this share of it went. */
const REMOVED_SHARE = 0.5;
/** Passages shorter than this are headings and captions, not knowledge to judge. */
const MIN_PASSAGE_CHARS = 80;
const BANDS = SCORE_BANDS;

type Side = 'kept' | 'removed';

interface Passage {
  side: Side;
  band: number;
  seq: number;
  id: string;
  start: number;
  end: number;
  text: string;
}

export interface SampleResult {
  file: string;
  /** Passages in the run, per stratum. */
  strata: { side: Side; band: string; passages: number; sampled: number }[];
}

/** Share of [start, end) inside the removed spans (sorted edits of one document). */
function removedShare(edits: readonly Edit[], start: number, end: number, dropped: boolean): number {
  if (dropped) return 1;
  let removed = 0;
  for (const edit of edits) removed += Math.max(0, Math.min(end, edit.end) - Math.max(start, edit.start));
  return (end - start) === 0 ? 0 : removed / (end - start);
}

/** Every passage of the run's input, with its side and band, document by document. */
async function* runPassages(runDir: string, manifest: Manifest, pack: Pack): AsyncGenerator<Passage> {
  if (!pack.passage) throw new UsageError(`pack ${pack.id} has no passage classifier, so its passages cannot be banded by score`);
  const model = loadPassageModel(pack.passage);
  const edits = readRecords<Edit>(join(runDir, 'edits.jsonl.gz'))[Symbol.asyncIterator]();
  let pending = await edits.next();
  for await (const { seq, doc } of runInputDocuments(manifest)) {
    const own: Edit[] = [];
    while (!pending.done && pending.value.seq < seq) pending = await edits.next();
    while (!pending.done && pending.value.seq === seq) {
      own.push(pending.value);
      pending = await edits.next();
    }
    const dropped = own.some((edit) => edit.action === 'drop');
    const { spans, logits } = scoreParagraphs(model, doc.text);
    for (let at = 0; at < spans.length; at++) {
      const span = spans[at];
      const text = doc.text.slice(span.start, span.end).trim();
      if (text.length < MIN_PASSAGE_CHARS) continue;
      const side: Side = removedShare(own, span.start, span.end, dropped) >= REMOVED_SHARE ? 'removed' : 'kept';
      yield { side, band: scoreBand(logits[at], pack.passage.threshold), seq, id: doc.id, start: span.start, end: span.end, text };
    }
  }
}

/** A seeded priority per passage: the sample is the n lowest in each stratum (reservoir-free, one pass). */
function priority(seed: number, passage: Passage): string {
  return createHash('sha256').update(`${seed}\u0000${passage.seq}\u0000${passage.start}`).digest('hex');
}

const HEADER = ['label', 'side', 'band', 'id', 'seq', 'start', 'end', 'text'].join('\t');

/**
 * The sample file's text: `perStratum` passages from each (side, band), chosen by a seeded hash
 * so the same run and seed give the same file. `label` is left empty for a person to fill.
 */
export async function drawSample(runDir: string, manifest: Manifest, pack: Pack, perStratum: number, seed: number): Promise<{ tsv: string; strata: SampleResult['strata'] }> {
  const strata = new Map<string, { side: Side; band: number; passages: number; chosen: { key: string; passage: Passage }[] }>();
  for await (const passage of runPassages(runDir, manifest, pack)) {
    const name = `${passage.side}\u0000${passage.band}`;
    const stratum = strata.get(name) ?? strata.set(name, { side: passage.side, band: passage.band, passages: 0, chosen: [] }).get(name)!;
    stratum.passages++;
    const key = priority(seed, passage);
    if (stratum.chosen.length < perStratum || key < stratum.chosen[stratum.chosen.length - 1].key) {
      stratum.chosen.push({ key, passage });
      stratum.chosen.sort((a, b) => (a.key < b.key ? -1 : 1));
      if (stratum.chosen.length > perStratum) stratum.chosen.pop();
    }
  }
  const ordered = [...strata.values()].sort((a, b) => (a.side < b.side ? -1 : a.side > b.side ? 1 : a.band - b.band));
  const rows = [HEADER, `# strata (side, band, passages in the run): ${ordered.map((stratum) => `${stratum.side}/${stratum.band}/${stratum.passages}`).join(' ')}`];
  for (const stratum of ordered) {
    for (const { passage } of stratum.chosen) rows.push(['', passage.side, String(passage.band), passage.id, String(passage.seq), String(passage.start), String(passage.end), passage.text.replace(/\s+/g, ' ')].join('\t'));
  }
  return { tsv: rows.join('\n') + '\n', strata: ordered.map((stratum) => ({ side: stratum.side, band: BANDS[stratum.band], passages: stratum.passages, sampled: stratum.chosen.length })) };
}

/** Wilson score interval for k successes in n trials, 95%. */
export function wilson(k: number, n: number, z = 1.959964): { estimate: number; low: number; high: number } {
  if (n === 0) return { estimate: 0, low: 0, high: 1 };
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  const round = (value: number) => Math.round(value * 10000) / 10000;
  return { estimate: round(p), low: round(Math.max(0, centre - half)), high: round(Math.min(1, centre + half)) };
}

export interface LabelledStratum {
  side: Side;
  band: string;
  passages: number;
  labelled: number;
  /** Target passages among the labelled ones. */
  targets: number;
  share: { estimate: number; low: number; high: number };
}

export interface LabelledMeasure {
  file: string;
  sha256: string;
  strata: LabelledStratum[];
  /** Share of kept passages that are target knowledge: measured leakage. */
  leakage: { estimate: number; low: number; high: number; labelled: number; passages: number };
  /** Share of removed passages that are not target knowledge: measured collateral damage. */
  collateral: { estimate: number; low: number; high: number; labelled: number; passages: number };
}

/**
 * Reads a labelled sample back. Each side's share is the strata's shares weighted by their sizes;
 * its interval weights the strata's Wilson bounds the same way (conservative: the bounds of a
 * weighted sum are at most the weighted bounds).
 */
export async function measureLabels(file: string): Promise<LabelledMeasure> {
  const bytes = await readUserFile(file, 'labelled sample');
  const lines = bytes.toString('utf8').split('\n');
  if (lines[0] !== HEADER) throw new UsageError(`${file}:1: not a sample written by lacuna verify --sample (the header must be: ${HEADER.replace(/\t/g, ' ')})`);
  const sizes = new Map<string, number>();
  const strataLine = lines.find((line) => line.startsWith('# strata'));
  for (const entry of strataLine?.split(': ')[1]?.split(' ') ?? []) {
    const [side, band, count] = entry.split('/');
    sizes.set(`${side}/${band}`, Number(count));
  }
  const counts = new Map<string, { labelled: number; targets: number }>();
  lines.forEach((line, index) => {
    if (index === 0 || line.trim() === '' || line.startsWith('#')) return;
    const [label, side, band] = line.split('\t');
    if (label === '') throw new UsageError(`${file}:${index + 1}: no label (write 1 for target knowledge, 0 for not)`);
    if (label !== '0' && label !== '1') throw new UsageError(`${file}:${index + 1}: label '${label}' is not 0 or 1`);
    if (side !== 'kept' && side !== 'removed') throw new UsageError(`${file}:${index + 1}: side '${side}' is not kept or removed`);
    const key = `${side}/${band}`;
    if (!sizes.has(key)) throw new UsageError(`${file}:${index + 1}: band ${band} of ${side} is not one of the sample's strata`);
    const entry = counts.get(key) ?? counts.set(key, { labelled: 0, targets: 0 }).get(key)!;
    entry.labelled++;
    if (label === '1') entry.targets++;
  });
  const strata: LabelledStratum[] = [...sizes.entries()].map(([key, passages]) => {
    const [side, band] = key.split('/');
    const entry = counts.get(key) ?? { labelled: 0, targets: 0 };
    return { side: side as Side, band: BANDS[Number(band)], passages, labelled: entry.labelled, targets: entry.targets, share: wilson(entry.targets, entry.labelled) };
  });
  const combine = (side: Side, of: (stratum: LabelledStratum) => { estimate: number; low: number; high: number }) => {
    const own = strata.filter((stratum) => stratum.side === side && stratum.labelled > 0);
    const total = own.reduce((sum, stratum) => sum + stratum.passages, 0);
    const weighted = (pick: (value: { estimate: number; low: number; high: number }) => number) => (total === 0 ? 0 : Math.round((own.reduce((sum, stratum) => sum + stratum.passages * pick(of(stratum)), 0) / total) * 10000) / 10000);
    return { estimate: weighted((v) => v.estimate), low: weighted((v) => v.low), high: weighted((v) => v.high), labelled: own.reduce((sum, stratum) => sum + stratum.labelled, 0), passages: total };
  };
  const notTarget = (stratum: LabelledStratum) => wilson(stratum.labelled - stratum.targets, stratum.labelled);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), strata, leakage: combine('kept', (stratum) => stratum.share), collateral: combine('removed', notTarget) };
}
