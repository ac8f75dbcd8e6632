/**
 * The unit of work of a run: a few whole input files, or one byte range of a large uncompressed
 * JSONL file. Units are planned from the inputs alone (their order, sizes and first bytes) and a
 * target size, never from the number of workers or ranks, so every way of running a job (one
 * process, N threads, N Slurm tasks) cuts the same units, each unit's output is the same bytes,
 * and the merged output is too. A rank takes every unit whose index is rank modulo world size.
 */
import { open } from 'node:fs/promises';
import { sniffCompression } from './byte-source.js';
import { UsageError } from './errors.js';
import type { InputFile } from './readers/types.js';

export const DEFAULT_UNIT_BYTES = 32 * 1024 ** 2;

export interface WorkUnit {
  index: number;
  /** Input files (or byte ranges of one), in input order. */
  files: InputFile[];
  /** Input bytes the unit covers, for progress. */
  bytes: number;
}

/** Only an uncompressed JSONL file can be cut at any offset: its records are lines. */
async function splittable(file: InputFile, unitBytes: number): Promise<boolean> {
  if (file.format !== 'jsonl' || file.path === '-' || file.size === undefined || file.size <= unitBytes) return false;
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return sniffCompression(head.subarray(0, bytesRead)) === 'none';
  } finally {
    await handle.close();
  }
}

/** Moves a cut of a large file forward (never back) so that it falls between records that must stay together (context-cuts.ts). */
export type CutMover = (path: string, offset: number) => Promise<number>;

/**
 * The byte ranges a finished run read a large file in, when they must be read again exactly so
 * (`lacuna apply`: its stored detections are per unit), whatever this build would plan; undefined
 * to plan the file.
 */
export type StoredRanges = (file: InputFile) => readonly (readonly [number, number])[] | undefined;

/** Whether `ranges` cover [0, size) in order without gaps: a plan that reads the file once. */
function coversOnce(ranges: readonly (readonly [number, number])[], size: number): boolean {
  let at = 0;
  for (const [start, end] of ranges) {
    if (start !== at || end <= start) return false;
    at = end;
  }
  return at === size;
}

/**
 * Consecutive files share a unit up to `unitBytes`; a larger uncompressed JSONL file becomes
 * ranges of `unitBytes` (cut at fixed offsets: the range reader finds the line boundaries); any
 * other large file (compressed, Parquet, a JSON array, a text file) is one unit of its own.
 */
export async function planUnits(files: InputFile[], unitBytes: number = DEFAULT_UNIT_BYTES, moveCut?: CutMover, storedRanges?: StoredRanges): Promise<WorkUnit[]> {
  const units: WorkUnit[] = [];
  let current: WorkUnit | undefined;
  const close = () => {
    if (current) units.push(current);
    current = undefined;
  };
  for (const file of files) {
    const size = file.size ?? 0;
    if (await splittable(file, unitBytes)) {
      close();
      const stored = storedRanges?.(file);
      if (stored && coversOnce(stored, size)) {
        for (const [start, end] of stored) units.push({ index: units.length, files: [{ ...file, range: { start, end } }], bytes: end - start });
        continue;
      }
      for (let start = 0; start < size; ) {
        const nominal = Math.min(size, start + unitBytes);
        const end = nominal < size && moveCut ? Math.min(size, await moveCut(file.path, nominal)) : nominal;
        units.push({ index: units.length, files: [{ ...file, range: { start, end } }], bytes: end - start });
        start = end;
      }
      continue;
    }
    if (current && current.bytes + size > unitBytes) close();
    current ??= { index: units.length, files: [], bytes: 0 };
    current.files.push(file);
    current.bytes += size;
  }
  close();
  // An empty input list still makes one (empty) unit, so that an empty run is a run.
  if (units.length === 0) units.push({ index: 0, files: [], bytes: 0 });
  return units;
}

export interface RankSpec {
  rank: number;
  worldSize: number;
}

/** The units rank `rank` of `worldSize` does: round-robin, so neighbouring (similar) units spread. */
export function unitsOfRank(units: WorkUnit[], spec: RankSpec): WorkUnit[] {
  return units.filter((unit) => unit.index % spec.worldSize === spec.rank);
}

/**
 * Rank and world size from the flags, else from the scheduler's environment: Slurm job arrays
 * (SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_COUNT) and Kubernetes Indexed Jobs
 * (JOB_COMPLETION_INDEX, with --world-size, since the pod is not told the completion count).
 * Undefined when nothing names a rank: the run does every unit and merges.
 */
export function rankFrom(flags: { rank?: number; worldSize?: number }, env: NodeJS.ProcessEnv = process.env): RankSpec | undefined {
  const number = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined || value === '') return undefined;
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, not '${value}'`);
    return Number(value);
  };
  let rank = flags.rank;
  let worldSize = flags.worldSize;
  let source = '--rank';
  if (rank === undefined) {
    const slurm = number(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const indexed = number(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
    if (slurm !== undefined) {
      // Arrays may start at any index (--array=1-4): the rank counts from the array's first task.
      const min = number(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') ?? 0;
      rank = slurm - min;
      worldSize ??= number(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT');
      source = 'SLURM_ARRAY_TASK_ID';
    } else if (indexed !== undefined) {
      rank = indexed;
      source = 'JOB_COMPLETION_INDEX';
    }
  }
  if (rank === undefined) {
    if (worldSize !== undefined) throw new UsageError('--world-size needs --rank (or SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment)');
    return undefined;
  }
  if (worldSize === undefined) throw new UsageError(`${source} gives rank ${rank}, but nothing gives the world size: pass --world-size`);
  if (worldSize < 1) throw new UsageError('--world-size must be at least 1');
  if (rank < 0 || rank >= worldSize) throw new UsageError(`rank ${rank} (from ${source}) is outside a world of size ${worldSize}: ranks are 0 to ${worldSize - 1}`);
  return { rank, worldSize };
}
