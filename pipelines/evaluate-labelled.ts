/**
 * `lacuna eval`: how a pack's detectors do on passages a person labelled, the way a reviewer
 * measures them on text nobody tuned on. Each passage (TSV: label, kind, text, as the dev set and
 * `lacuna calibrate` read them; label 1 = target knowledge, 0 = not) is masked as a document of its
 * own, exactly as `lacuna mask` would mask a one-passage record (masked-text.ts), and the result is
 * what a run would do to it:
 *
 * - a target passage counts as removed when at least TARGET_REMOVED_SHARE of it goes (the rule
 *   `lacuna train` applies to labelled paragraphs);
 * - a passage that is not target counts as touched when anything of it goes.
 *
 * Both with 95% Wilson intervals, overall and per kind, and with the passages behind them: every
 * target left standing and every other passage that lost text, with the removed spans marked and the
 * findings that removed them. A passage alone is the hardest case for the detectors (no neighbours,
 * no section); in a book they find more (see `lacuna train`).
 */
import { readUserFile } from '../corpora/user-file.js';
import { sha256Hex } from '../indexes/classifier/passage-model.js';
import { loadSemanticModels } from '../indexes/semantic-models.js';
import { DetectorChain, type DetectorName } from '../maskers/detectors/chain.js';
import { loadPack } from '../maskers/pack/load.js';
import { readLabelled } from './calibrate.js';
import { wilson } from './labelled-sample.js';
import { maskText } from './masked-text.js';
import { TARGET_REMOVED_SHARE } from './book-measures.js';
import type { Interval } from './leakage-estimate.js';

export interface EvaluateOptions {
  files: readonly string[];
  pack: string;
  detectors: readonly DetectorName[];
  cacheDir: string;
  model: string;
}

export interface EvaluatedPassage {
  file: string;
  line: number;
  label: 0 | 1;
  kind: string;
  text: string;
  /** Share of its characters removed. */
  removed: number;
  /** The text with each removed span marked ⟦…⟧. */
  marked: string;
  /** Each finding: its detector, concept, rule, the pack entry (or score) that fired, and the text it covers (at most 80 characters). */
  findings: { detector: string; concept: string; rule: string; match: string; text: string }[];
}

export interface Tally {
  passages: number;
  /** Targets removed (at least TARGET_REMOVED_SHARE), or other passages touched (anything removed). */
  counted: number;
  share: Interval;
  chars: number;
  removedChars: number;
}

export interface Evaluation {
  pack: { id: string; version: string; sha256: string };
  detectors: DetectorName[];
  files: { path: string; sha256: string; passages: number }[];
  targets: Tally;
  others: Tally;
  byKind: Record<string, { targets: Tally; others: Tally }>;
  /** Targets left standing, then other passages that lost text: what to read. */
  missed: EvaluatedPassage[];
  touched: EvaluatedPassage[];
}

function emptyTally(): Tally {
  return { passages: 0, counted: 0, share: { estimate: 0, low: 0, high: 1 }, chars: 0, removedChars: 0 };
}

function add(tally: Tally, passage: EvaluatedPassage, counted: boolean): void {
  tally.passages++;
  tally.counted += counted ? 1 : 0;
  tally.chars += passage.text.length;
  tally.removedChars += Math.round(passage.removed * passage.text.length);
  tally.share = wilson(tally.counted, tally.passages);
}

/** Whether the passage counts: a target removed, or another passage touched. */
export function counts(passage: Pick<EvaluatedPassage, 'label' | 'removed'>): boolean {
  return passage.label === 1 ? passage.removed >= TARGET_REMOVED_SHARE : passage.removed > 0;
}

function marked(text: string, spans: readonly { start: number; end: number }[]): string {
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += `${text.slice(at, span.start)}⟦${text.slice(span.start, span.end)}⟧`;
    at = span.end;
  }
  return out + text.slice(at);
}

export async function evaluateLabelled(options: EvaluateOptions): Promise<Evaluation> {
  const loaded = await loadPack(options.pack, options.cacheDir);
  const models = options.detectors.includes('semantic') ? await loadSemanticModels(options.cacheDir, options.model) : undefined;
  const chain = await DetectorChain.create(loaded.pack, { detectors: options.detectors, models });
  const result: Evaluation = {
    pack: { id: loaded.pack.id, version: loaded.pack.version, sha256: loaded.sha256 },
    detectors: [...options.detectors],
    files: [],
    targets: emptyTally(),
    others: emptyTally(),
    // Keyed by the labelled file's own kinds: no prototype, so a kind called `constructor` is a kind.
    byKind: Object.create(null) as Evaluation['byKind'],
    missed: [],
    touched: [],
  };
  for (const file of options.files) {
    const rows = await readLabelled(file);
    result.files.push({ path: file, sha256: sha256Hex(await readUserFile(file, 'labelled data')), passages: rows.length });
    for (const row of rows) {
      const masked = await maskText(chain, row.text, 'document');
      const removedChars = masked.removed.reduce((sum, span) => sum + span.end - span.start, 0);
      const passage: EvaluatedPassage = {
        file,
        line: row.line,
        label: row.label,
        kind: row.kind,
        text: row.text,
        removed: row.text.length === 0 ? 0 : removedChars / row.text.length,
        marked: marked(row.text, masked.removed),
        findings: masked.findings.map((finding) => ({ detector: finding.detector, concept: finding.concept, rule: finding.evidence.rule, match: finding.evidence.match, text: row.text.slice(finding.start, finding.end).slice(0, 80) })),
      };
      const counted = counts(passage);
      const kind = (result.byKind[row.kind] ??= { targets: emptyTally(), others: emptyTally() });
      add(row.label === 1 ? result.targets : result.others, passage, counted);
      add(row.label === 1 ? kind.targets : kind.others, passage, counted);
      if (row.label === 1 && !counted) result.missed.push(passage);
      if (row.label === 0 && counted) result.touched.push(passage);
    }
  }
  return result;
}

function tallyCell(tally: Tally): string {
  if (tally.passages === 0) return '–';
  const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
  return `${tally.counted}/${tally.passages} (${percent(tally.share.estimate)}; 95% ${percent(tally.share.low)}–${percent(tally.share.high)})`;
}

function passageLine(passage: EvaluatedPassage): string {
  const why = passage.findings.length === 0 ? 'no finding' : passage.findings.map((finding) => `${finding.detector} ${finding.rule} "${finding.match}" (${finding.concept})`).join('; ');
  return `- ${passage.file}:${passage.line} [${passage.kind}] ${(passage.removed * 100).toFixed(0)}% removed (${why}): ${passage.marked.replace(/\s+/g, ' ').replace(/\|/g, '\\|')}`;
}

/** The evaluation as Markdown: the rates, then every passage that went wrong. */
export function evaluationMarkdown(result: Evaluation): string {
  const lines = [
    `# lacuna eval: ${result.pack.id} ${result.pack.version}`,
    '',
    `Detectors: ${result.detectors.join(', ')}. Each labelled passage is masked as a document of its own, as \`lacuna mask\` masks a one-passage record. A target counts as removed when at least ${TARGET_REMOVED_SHARE * 100}% of it goes; any other passage counts as touched when anything of it goes.`,
    '',
    ...result.files.map((file) => `- ${file.path}: ${file.passages} passages, sha256 ${file.sha256}`),
    '',
    '| kind | targets removed | other passages touched |',
    '|---|---:|---:|',
    `| all | ${tallyCell(result.targets)} | ${tallyCell(result.others)} |`,
    ...Object.entries(result.byKind)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([kind, tallies]) => `| ${kind.replace(/\|/g, '\\|')} | ${tallyCell(tallies.targets)} | ${tallyCell(tallies.others)} |`),
    '',
    `Characters: ${result.targets.removedChars} of ${result.targets.chars} target characters removed; ${result.others.removedChars} of ${result.others.chars} other characters removed.`,
    '',
    `## Targets left standing (${result.missed.length})`,
    '',
    ...result.missed.map(passageLine),
    '',
    `## Other passages that lost text (${result.touched.length})`,
    '',
    ...result.touched.map(passageLine),
    '',
  ];
  return lines.join('\n');
}
