/** The manifest a run writes last (DESIGN.md, "Core records"): enough to cite, check and replay the run. */
import { createHash } from 'node:crypto';
import type { SkippedInput } from './sources.js';

export interface ManifestInput {
  /** As named on the command line, or the member path inside a named directory. */
  path: string;
  /** Absolute path, so `lacuna replay` finds the input from any working directory. */
  resolved: string;
  label: string;
  format: string;
  bytes: number;
  sha256: string;
  records: number;
  rejected: number;
  /** Set when the file was read as byte ranges by several work units: [start, end) of each, in order. */
  ranges?: [number, number][];
}

export interface ManifestOutput {
  /** Relative to the output directory. */
  path: string;
  bytes: number;
  sha256: string;
  records?: number;
}

export interface Counts {
  input: number;
  kept: number;
  edited: number;
  dropped: number;
  rejected: number;
}

export interface StageStats {
  /** Documents (or records, for read) that passed through the stage. */
  items: number;
  /** Milliseconds, summed over worker threads for the parallel stages. */
  ms: number;
}

export interface Manifest {
  /** `build`: the fingerprint of the code that ran (toolBuild); absent in manifests written before it. */
  tool: { name: string; version: string; build?: string; node: string };
  command: string;
  inputs: ManifestInput[];
  skippedInputs: SkippedInput[];
  pack: {
    id: string;
    version: string;
    sha256: string;
    source: string;
    builtin: boolean;
    /** What the pack may get wrong though valid (one-letter terms), as the run was told. */
    warnings?: string[];
    /** The passage model the pack pins, when the passage detector ran. */
    passageModel?: { path: string; sha256: string; threshold: number } | null;
  };
  embeddingModel: string | null;
  config: Record<string, unknown>;
  outputs: ManifestOutput[];
  counts: Counts;
  /**
   * Documents plainly not in the pack's language (ISO 639-3 codes: documents and characters), which
   * its rules and classifier read without understanding (absent in manifests written before it).
   */
  languages?: { pack: string; other: Record<string, { documents: number; chars: number }> };
  /**
   * With `--context-field`: the field, the records that had it, and the context runs of two
   * records or more that were detected together, with the records in them.
   */
  context?: { field: string; records: number; runs: number; joined: number; capped?: number };
  findings: { total: number; suppressed: number; byConcept: Record<string, number> };
  /** Characters removed for each concept (what the estimate of target text left is shared out by). */
  removedCharsByConcept?: Record<string, number>;
  verification: unknown;
  stages: Record<string, StageStats>;
  /** Legitimate knowledge removed: characters, and keep contexts and control words inside removed spans. */
  collateral: {
    removedChars: number;
    inputChars: number;
    /** Characters of documents that are one paragraph (absent in manifests written before it was counted). */
    singleParagraphChars?: number;
    /** Characters of short documents (see CollateralReport.shortDocumentChars). */
    shortDocumentChars?: number;
    /** Of removedChars, those removed as islands among kept text, small and large (see CollateralReport.islandChars). */
    islandChars?: { small: number; large: number };
    removedShare: number;
    destroyed: Record<string, number>;
  };
  /** Cost of the semantic detector: sentences seen, windows screened, sentences embedded. */
  semantic: Record<string, number> | null;
  /**
   * Wall time, and the CPU time (user and system) of this process with its worker threads: with the
   * wall time, how much of the machine the run used. Of a run made by several ranks, both are the
   * merging process's (the ranks write no manifest).
   */
  timings: { startedAt: string; finishedAt: string; wallMs: number; cpuMs?: number; peakRssBytes: number; workers: number };
  /** How the run was cut into work units, and the key a rerun recognises it by (see pipelines/mask.ts). */
  work?: { runKey: string; unitBytes: number; units: number; unitsRunHere: number; unitRecords?: number[]; appliedFrom?: { run: string; seal: string } | null };
  seal?: ManifestSeal;
}

export function countsBalance(counts: Counts): boolean {
  return counts.input === counts.kept + counts.edited + counts.dropped + counts.rejected;
}

/**
 * The manifest's own digest. A run's outputs are pinned by the sha256 the manifest lists; the
 * seal pins the manifest itself, so an edit to it (`passed` flipped, a pack version changed, an
 * output's digest rewritten to match a changed file) is caught by `lacuna verify`. It is
 * tamper-evidence against edits, not a signature: whoever recomputes it can forge it.
 */
export interface ManifestSeal {
  algorithm: 'sha256';
  /** What was hashed: the manifest without `seal`, as JSON with two-space indentation and a final newline. */
  of: 'manifest-without-seal';
  value: string;
}

function manifestText(manifest: object): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}

/** The manifest's JSON text with its seal as the last field. */
export function sealedManifestText(manifest: object): string {
  const { seal: _old, ...unsealed } = manifest as { seal?: unknown };
  const seal: ManifestSeal = { algorithm: 'sha256', of: 'manifest-without-seal', value: createHash('sha256').update(manifestText(unsealed)).digest('hex') };
  return manifestText({ ...unsealed, seal });
}

/** Whether the parsed manifest's seal matches its content: 'missing' when it has none. */
export function checkSeal(manifest: object): 'intact' | 'missing' | 'broken' {
  const { seal, ...unsealed } = manifest as { seal?: Partial<ManifestSeal> };
  if (!seal || typeof seal.value !== 'string') return 'missing';
  return createHash('sha256').update(manifestText(unsealed)).digest('hex') === seal.value ? 'intact' : 'broken';
}
