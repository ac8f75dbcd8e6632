/**
 * The verdict of a verification, decided in one place.
 *
 * Re-detection alone cannot fail a run on what its detectors miss: masking removed everything they
 * find, so they find nothing in the output by construction. What can fail a run is the measured
 * amount of target text left: the held-out estimate (leakage-estimate.ts) or, better, a labelled
 * sample (labelled-sample.ts). A run states a limit, `--max-leak` (the largest share of the output
 * that may be target text), and the verdict is
 *
 * - FAILED when the run directory is not what its manifest says, a concept keeps more residual
 *   findings than allowed, or the measured share of target text left is over the limit;
 * - PASSED when re-detection is clean and the top of the measure's 95% interval is within it;
 * - INCONCLUSIVE otherwise: clean re-detection, but nothing shows the output within the limit
 *   (the interval reaches over it, the estimate is saturated, or nothing measured it).
 *
 * A leak costs an experiment more than a lost sentence, so only PASSED counts as passing:
 * `--fail-on-leak` exits 1 on FAILED and on INCONCLUSIVE alike.
 */
import type { Interval, LeakageEstimate } from './leakage-estimate.js';
import type { LabelledMeasure } from './labelled-sample.js';

/**
 * The default limit: at most 1% of the output may be target text, at the top of the 95% interval.
 * A 100 GB corpus within it may still hold up to 1 GB of target text, so an experiment that needs
 * less says so with `--max-leak`; a looser default would pass runs whose own numbers show a leak.
 */
export const DEFAULT_MAX_LEAK = 0.01;

export type VerificationStatus = 'passed' | 'failed' | 'inconclusive';

export interface LeakCheck {
  /** The largest share of the output (of the corpus, when nothing was masked) that may be target text. */
  limit: number;
  /** What measured the share: a labelled sample, the held-out estimate, or nothing. */
  measure: 'labels' | 'estimate' | 'none';
  /** The measured share with its 95% interval; null when nothing measured it or the estimate says nothing. */
  share: Interval | null;
  /** within: the interval's top is at most the limit; over: the point estimate is above it; unbounded: neither. */
  outcome: 'within' | 'over' | 'unbounded';
  /** Characters in another language that the estimate's top counts as target text (LeakageEstimate.unscreenedChars). */
  unscreenedChars?: number;
}

/** What the verdict reads from a verification report. */
export interface VerdictInputs {
  concepts: Record<string, { passed: boolean }>;
  integrity?: { passed: boolean; problems: string[] };
  estimate: LeakageEstimate | null;
  labels?: LabelledMeasure;
}

/** Characters the estimate's remainder is a share of: the output, or the whole corpus when nothing was masked. */
export function estimateBase(estimate: LeakageEstimate): number {
  return estimate.masked ? Math.max(1, estimate.inputChars - estimate.removedChars) : Math.max(1, estimate.inputChars);
}

/** True when the estimate reaches all of the output: what was removed implies at least as much missed, which says nothing. */
export function estimateSaturated(estimate: LeakageEstimate): boolean {
  return estimate.masked && estimate.remainingChars.estimate >= estimateBase(estimate);
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

/** The share of target text left against the limit: a labelled sample when there is one, else the estimate. */
export function checkLeak(report: Pick<VerdictInputs, 'estimate' | 'labels'>, limit: number): LeakCheck {
  let measure: LeakCheck['measure'] = 'none';
  let share: Interval | null = null;
  if (report.labels && report.labels.leakage.labelled > 0) {
    measure = 'labels';
    share = { estimate: report.labels.leakage.estimate, low: report.labels.leakage.low, high: report.labels.leakage.high };
  } else if (report.estimate) {
    measure = 'estimate';
    if (!estimateSaturated(report.estimate)) {
      const base = estimateBase(report.estimate);
      const left = report.estimate.remainingChars;
      // The top is the bound that assumes nothing about false removal (remainingBound), never below
      // the bootstrap's own top; estimates stored before the bound existed use the bootstrap's.
      const top = Math.max(left.high, report.estimate.remainingBound ?? left.high);
      share = { estimate: round(left.estimate / base), low: round(left.low / base), high: round(Math.min(1, top / base)) };
    }
  }
  const outcome = share === null ? 'unbounded' : share.estimate > limit ? 'over' : share.high <= limit ? 'within' : 'unbounded';
  const unscreened = measure === 'estimate' && share !== null ? (report.estimate?.unscreenedChars ?? 0) : 0;
  return { limit, measure, share, outcome, ...(unscreened > 0 ? { unscreenedChars: unscreened } : {}) };
}

/** True when every concept keeps no more residual findings than allowed. */
export function redetectionClean(report: Pick<VerdictInputs, 'concepts'>): boolean {
  return Object.values(report.concepts).every((concept) => concept.passed);
}

/** The verdict: see the comment at the top of this file. */
export function verificationStatus(report: VerdictInputs, leak: LeakCheck): VerificationStatus {
  if (report.integrity && !report.integrity.passed) return 'failed';
  if (!redetectionClean(report) || leak.outcome === 'over') return 'failed';
  return leak.outcome === 'within' ? 'passed' : 'inconclusive';
}
