/**
 * Detection stored by a run, for `lacuna apply` to decide again under another policy without
 * running a detector. A run's findings.jsonl.gz holds every finding; detections.jsonl.gz holds,
 * for every document (findings or not), what else detection measured: the findings it
 * suppressed (a count) and the passage classifier's score bands. Together they are exactly what
 * the detector chain returned, so a policy applied to them gives the bytes a fresh run with that
 * policy gives.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchItem } from './runtime/batches.js';
import { UsageError } from '../corpora/errors.js';
import { readRecords } from '../corpora/readers/records.js';
import { environmentError } from '../corpora/user-file.js';
import { JsonlWriter } from '../corpora/writers/jsonl-writer.js';
import type { Finding, SpanFinding } from '../maskers/findings.js';
import type { DocumentOutcome, StoredDetection } from './mask-task.js';
import { unitDirName } from './mask-unit.js';

/** One line of detections.jsonl.gz. */
export interface DetectionRecord {
  seq: number;
  suppressed: number;
  scoreBands?: number[];
}

export function detectionRecord(seq: number, outcome: DocumentOutcome): DetectionRecord {
  return { seq, suppressed: outcome.suppressed, ...(outcome.detectedBands ? { scoreBands: outcome.detectedBands } : {}) };
}

/** One line of a unit's stored file: a document's whole detection, `seq` counted in the unit. */
interface UnitStoredRecord extends DetectionRecord {
  findings: SpanFinding[];
}

/** Reads a unit's stored detections in step with the unit's documents. */
export class StoredDetectionReader {
  private readonly records: AsyncGenerator<UnitStoredRecord>;

  /** `cause`: what to say when they do not meet the records (the run's inputs, or the build, changed). */
  constructor(
    private readonly path: string,
    private readonly cause = 'the inputs changed since the run',
  ) {
    this.records = readRecords<UnitStoredRecord>(path);
  }

  /** The stored detection of each document of a batch whose first item is record `firstSeq` of the unit. */
  async forBatch(items: BatchItem[], firstSeq: number): Promise<StoredDetection[]> {
    const out: StoredDetection[] = [];
    for (const [at, item] of items.entries()) {
      if (item.event.kind !== 'doc') continue;
      const seq = firstSeq + at;
      const next = await this.records.next();
      if (next.done || next.value.seq !== seq) throw new UsageError(`the stored detections (${this.path}) do not match the inputs at record ${seq} of the unit: ${this.cause}`);
      out[item.slot] = { findings: next.value.findings, suppressed: next.value.suppressed, ...(next.value.scoreBands ? { scoreBands: next.value.scoreBands } : {}) };
    }
    return out;
  }

  async finish(): Promise<void> {
    if (!(await this.records.next()).done) throw new UsageError(`the stored detections (${this.path}) hold more documents than the inputs: ${this.cause}`);
  }
}

/**
 * Splits a run's findings and detections into one file per work unit under `storedDir`, with
 * positions counted in the unit: one pass over each log. Written under a temporary name and
 * renamed, so a split that exists is whole.
 */
export async function splitStoredDetections(runDir: string, unitRecords: number[], storedDir: string): Promise<void> {
  if (await stat(storedDir).catch(() => undefined)) return;
  const temporary = `${storedDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(temporary, { recursive: true });
  } catch (error) {
    throw environmentError(error, 'create', temporary);
  }
  try {
    const findings = readRecords<Finding>(join(runDir, 'findings.jsonl.gz'));
    let pending = await findings.next();
    let unit = 0;
    let base = 0;
    let writer = new JsonlWriter(join(temporary, `${unitDirName(0)}.jsonl.gz`));
    for await (const detection of readRecords<DetectionRecord>(join(runDir, 'detections.jsonl.gz'))) {
      while (unit < unitRecords.length - 1 && detection.seq >= base + unitRecords[unit]) {
        await writer.close();
        base += unitRecords[unit++];
        writer = new JsonlWriter(join(temporary, `${unitDirName(unit)}.jsonl.gz`));
      }
      const own: SpanFinding[] = [];
      while (!pending.done && pending.value.seq === detection.seq) {
        const { id: _id, seq: _seq, ...finding } = pending.value;
        own.push(finding);
        pending = await findings.next();
      }
      if (!pending.done && pending.value.seq < detection.seq) throw new UsageError(`${join(runDir, 'findings.jsonl.gz')}: a finding for record ${pending.value.seq}, which detections.jsonl.gz does not list`);
      const { seq, ...measured } = detection;
      await writer.write({ seq: seq - base, ...measured, findings: own });
    }
    await writer.close();
    // Units after the last document (all rejects, or empty) get empty files.
    for (unit++; unit < unitRecords.length; unit++) await new JsonlWriter(join(temporary, `${unitDirName(unit)}.jsonl.gz`)).close();
    await rename(temporary, storedDir).catch(async (error: unknown) => {
      // Another rank split the same run first: the same bytes; keep theirs.
      if (!(await stat(storedDir).catch(() => undefined))) throw environmentError(error, 'rename', temporary);
      await rm(temporary, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

