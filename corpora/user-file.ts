/**
 * Reading a file the user named (a pack, labelled sentences, a question set):
 * when it cannot be read, one line that says which file, what it was for, and why.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

/** A system error in words a user reads (ENOENT → "no such file or directory"). */
export function errnoMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'a directory, not a file';
  return (error as Error).message;
}

/** The file's bytes, or a UsageError "cannot read <what> '<path>': <why>". */
export async function readUserFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${what} '${path}': ${errnoMessage(error)}`);
  }
}
