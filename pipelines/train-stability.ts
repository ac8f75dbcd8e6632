/**
 * `lacuna train --stability <n>`: how far the held-out table moves when training changes a little.
 *
 * Training is deterministic, yet a small change of its data moves each book's held-out numbers by
 * points: every threshold is a quantile of the negatives' out-of-fold scores at a budget, decided by
 * a handful of paragraphs of the one or two negative books nearest the target. Measured on physics:
 * leaving out one small background book (a 1.4 KB IBM leaflet, the PDP-3 specification, the Oak Ridge
 * ALGOL report) gave the worst pre-1900 book 0.9%, 1.3% and 2.7%, and 4.9% in the run before. A
 * single table hides that, so this reruns the whole cross-validation `n` times, each time without one
 * of the `n` smallest background books (the smallest change that leaves every measured book in), and
 * reports each book's range over the base run and those. It costs `n` more trainings.
 */
import { UsageError } from '../corpora/errors.js';
import { runTrain, type TrainOptions, type TrainResult } from './train.js';

export const NO_BACKGROUND = '--stability leaves out one background book per rerun, and the training spec has none: add a `background:` entry';

export interface Range {
  low: number;
  high: number;
}

export interface BookStability {
  name: string;
  side: string;
  loss: Range;
  documentLoss: Range;
  isolatedLoss: Range;
}

export interface LabelledStability {
  file: string;
  targets: number;
  keeps: number;
  targetsRemoved: Range;
  keepsTouched: Range;
}

export interface StabilityResult {
  /** The background book each rerun left out, in order. */
  leftOut: string[];
  books: BookStability[];
  labelled: LabelledStability[];
}

function range(values: readonly number[]): Range {
  return { low: Math.min(...values), high: Math.max(...values) };
}

/** The `runs` background books with the fewest measured characters, fewest first (ties by name). */
export function smallestBackground(base: TrainResult, runs: number): string[] {
  return base.books
    .filter((book) => book.side === 'background')
    .sort((a, b) => a.chars - b.chars || a.name.localeCompare(b.name))
    .slice(0, runs)
    .map((book) => book.name);
}

export async function runStability(options: TrainOptions, base: TrainResult, runs: number): Promise<StabilityResult> {
  const leftOut = smallestBackground(base, runs);
  if (leftOut.length === 0) throw new UsageError(NO_BACKGROUND);
  const results: TrainResult[] = [base];
  for (const [at, name] of leftOut.entries()) {
    options.progress?.(`stability rerun ${at + 1}/${leftOut.length}: without ${name}`);
    const { paragraphs: _unused, ...result } = await runTrain({ ...options, write: false, paragraphs: false, exclude: [...(options.exclude ?? []), name], progress: undefined });
    results.push(result);
  }
  const books = base.books
    .filter((book) => book.side !== 'background')
    .map((book) => {
      const runsOf = results.map((result) => result.books.find((other) => other.name === book.name)!);
      return {
        name: book.name,
        side: book.side,
        loss: range(runsOf.map((run) => run.loss)),
        documentLoss: range(runsOf.map((run) => run.documentLoss)),
        isolatedLoss: range(runsOf.map((run) => run.isolatedLoss)),
      };
    });
  const labelled = (base.labelled ?? []).map((file, at) => ({
    file: file.file,
    targets: file.targets,
    keeps: file.keeps,
    targetsRemoved: range(results.map((result) => result.labelled![at].targetsRemoved)),
    keepsTouched: range(results.map((result) => result.labelled![at].keepsTouched)),
  }));
  return { leftOut, books, labelled };
}

function percentRange(value: number, spread: Range): string {
  const pc = (share: number) => (share * 100).toFixed(1);
  return `${pc(value)}% (${pc(spread.low)}–${pc(spread.high)})`;
}

/** The base table's numbers with their range over the reruns. */
export function stabilityTable(base: TrainResult, stability: StabilityResult): string {
  const lines = [
    `Stability: the base run and ${stability.leftOut.length} rerun(s), each without one small background book (${stability.leftOut.join(', ')}); each cell is the base value (lowest–highest over all runs).`,
    '',
    '| side | book | default detectors | in documents | each paragraph alone |',
    '|---|---|---:|---:|---:|',
  ];
  for (const book of stability.books) {
    const own = base.books.find((other) => other.name === book.name)!;
    lines.push(`| ${book.side} | ${book.name} | ${percentRange(own.loss, book.loss)} | ${percentRange(own.documentLoss, book.documentLoss)} | ${percentRange(own.isolatedLoss, book.isolatedLoss)} |`);
  }
  for (const [at, file] of stability.labelled.entries()) {
    const own = base.labelled![at];
    lines.push('', `Hand-labelled paragraphs (${file.file}): targets removed ${own.targetsRemoved}/${file.targets} (${file.targetsRemoved.low}–${file.targetsRemoved.high}), keeps touched ${own.keepsTouched}/${file.keeps} (${file.keepsTouched.low}–${file.keepsTouched.high}).`);
  }
  return lines.join('\n') + '\n';
}
