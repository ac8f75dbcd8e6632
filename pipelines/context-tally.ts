/**
 * How records were gathered into context runs (`--context-field`), counted the same way by every
 * job that reads with the option (mask, audit), and the warnings a tally calls for.
 */
import { CONTEXT_MAX_CHARS, contextRuns, type TaskDocument } from './runtime/batches.js';
import { namesAWork } from './work-field-hint.js';

export interface ContextTally {
  /** Records that had the field (a value other than null). */
  records: number;
  /** Context runs of two records or more, and the records in them. */
  runs: number;
  joined: number;
  /** Runs that reached CONTEXT_MAX_CHARS and went on as new runs: a field that names no single work. Absent when none. */
  capped?: number;
}

export function emptyContextTally(): ContextTally {
  return { records: 0, runs: 0, joined: 0 };
}

/** Adds `more` to `total`. */
export function addContextTally(total: ContextTally, more: ContextTally): void {
  total.records += more.records;
  total.runs += more.runs;
  total.joined += more.joined;
  if (more.capped) total.capped = (total.capped ?? 0) + more.capped;
}

/** Counts the context runs of one batch's documents (batches never cut a run below the cap); `runs` when the caller has them. */
export function tallyRuns(documents: readonly TaskDocument[], tally: ContextTally, runs = contextRuns(documents)): void {
  for (const [start, end] of runs) {
    if (documents[start].context === undefined) continue;
    tally.records += end - start;
    if (end - start > 1) {
      tally.runs++;
      tally.joined += end - start;
    }
    let chars = 0;
    for (let at = start; at < end; at++) chars += documents[at].text.length;
    if (chars >= CONTEXT_MAX_CHARS) tally.capped = (tally.capped ?? 0) + 1;
  }
}

/**
 * What a finished job with `--context-field <field>` says about its tally: a field no record had,
 * runs that reached the cap, or runs joined by a field whose name does not read as a work's (an
 * `era` or a `label` sorted in runs would have unrelated records decided as one text).
 */
export function contextWarnings(field: string, tally: ContextTally | undefined, documents: number): string[] {
  const warnings: string[] = [];
  if ((tally?.records ?? 0) === 0 && documents > 0) warnings.push(`no record has the field '${field}' (--context-field): every record was detected on its own`);
  if (tally?.capped) {
    warnings.push(
      `${tally.capped} run(s) of records with the same '${field}' (--context-field) reached ${CONTEXT_MAX_CHARS / 2 ** 20} MiB of text and went on as new runs: records judged together are detected and decided as one text, so the field should name one work (a book, an article, a thread), not a source or a language`,
    );
  } else if (tally && tally.joined > 0 && !namesAWork(field)) {
    warnings.push(
      `the field '${field}' (--context-field) does not read as naming a work (a book, a title, an article, a url): its ${tally.runs} run(s) of records were each judged as one text, as one document would be; if it names a source, a label, a date or a language, run without the option`,
    );
  }
  return warnings;
}
