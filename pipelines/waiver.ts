/**
 * Reviewed false positives: residual passages a person has read and judged not to be target
 * knowledge (Kirchhoff's cavity law, the Fraunhofer lines). A waiver file lists them by passage
 * hash (ResidualPassage.hash) with a reason; waived passages are cleared from the verdict,
 * counted, and the file is recorded with its sha256, so a verdict always says what it forgave.
 *
 * Format: one passage per line, `<hash><TAB><reason>`; blank lines and lines starting with #
 * are comments. A line without a reason is refused: a waiver without a reason is not a review.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../corpora/errors.js';
import { readUserFile } from '../corpora/user-file.js';

export interface Waiver {
  path: string;
  sha256: string;
  /** Passage hash → reason. */
  reasons: Map<string, string>;
}

export const PASSAGE_HASH_LENGTH = 16;

export async function loadWaiver(path: string): Promise<Waiver> {
  const bytes = await readUserFile(path, 'waiver');
  const reasons = new Map<string, string>();
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const [hash, ...rest] = trimmed.split('\t');
      const reason = rest.join('\t').trim();
      if (!new RegExp(`^[0-9a-f]{${PASSAGE_HASH_LENGTH}}$`).test(hash)) throw new UsageError(`${path}:${index + 1}: '${hash}' is not a passage hash (${PASSAGE_HASH_LENGTH} lower-case hex digits, as reports print them)`);
      if (!reason) throw new UsageError(`${path}:${index + 1}: passage ${hash} has no reason (hash, a tab, then why it is not target knowledge)`);
      reasons.set(hash, reason);
    });
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), reasons };
}

/** What a report records of the waiver it applied. */
export function waiverRecord(waiver: Waiver | undefined, applied: number): { path: string; sha256: string; entries: number; applied: number } | null {
  return waiver ? { path: waiver.path, sha256: waiver.sha256, entries: waiver.reasons.size, applied } : null;
}
