/**
 * `lacuna probes gap <results.json>`: from lm-eval's results file (lm_eval/result_schema.py:
 * `results[task]["<metric>,<filter>"]`, `n-samples[task].effective`), the masked and control
 * accuracy of a Lacuna export and their difference, which lm-eval's groups cannot compute (they
 * only average). Each probe scores 0 or 1 (exact match on a generation, accuracy on a choice),
 * so a kind's accuracy is the size-weighted mean over its tasks, with a Wilson interval.
 */
import { UsageError } from '../../corpora/errors.js';
import { readUserFile } from '../../corpora/user-file.js';
import { wilson } from '../labelled-sample.js';

const METRICS: Record<'gen' | 'mc', string> = { gen: 'exact_match,strip', mc: 'acc,none' };

export interface KindScore {
  tasks: string[];
  probes: number;
  correct: number;
  accuracy: { estimate: number; low: number; high: number };
}

export interface GapResult {
  prefix: string;
  masked: KindScore;
  control: KindScore;
  /** Control accuracy minus masked accuracy: what masking took away, if the control is kept. */
  gap: number;
}

interface Results {
  results?: Record<string, Record<string, unknown>>;
  'n-samples'?: Record<string, { effective?: number; original?: number }>;
}

export async function probeGap(file: string, pack?: string): Promise<GapResult> {
  let parsed: Results;
  try {
    parsed = JSON.parse((await readUserFile(file, 'lm-eval results')).toString('utf8')) as Results;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file}: not JSON (${(error as Error).message})`);
  }
  const results = parsed.results ?? {};
  const pattern = /^(lacuna_[a-z0-9_]+)_(masked|control)_(gen|mc)$/;
  const names = Object.keys(results).filter((name) => pattern.test(name) && (!pack || name.startsWith(`lacuna_${pack.replace(/[^a-z0-9]+/gi, '_')}_`)));
  const prefixes = [...new Set(names.map((name) => pattern.exec(name)![1]))];
  if (prefixes.length !== 1) throw new UsageError(`${file}: ${prefixes.length === 0 ? 'no Lacuna probe task in its results' : `results of several packs (${prefixes.join(', ')}); pass --pack`}`);
  const score = (kind: 'masked' | 'control'): KindScore => {
    const own = names.filter((name) => pattern.exec(name)![2] === kind).sort();
    let probes = 0;
    let correct = 0;
    for (const name of own) {
      const metric = METRICS[pattern.exec(name)![3] as 'gen' | 'mc'];
      const value = results[name][metric];
      const size = parsed['n-samples']?.[name]?.effective;
      if (typeof value !== 'number' || typeof size !== 'number') throw new UsageError(`${file}: task ${name} has no '${metric}' score or no n-samples count`);
      probes += size;
      correct += Math.round(value * size);
    }
    return { tasks: own, probes, correct, accuracy: wilson(correct, probes) };
  };
  const masked = score('masked');
  const control = score('control');
  return { prefix: prefixes[0], masked, control, gap: Math.round((control.accuracy.estimate - masked.accuracy.estimate) * 10000) / 10000 };
}
