/**
 * Reading a file the user named (a pack, labelled sentences, a question set):
 * when it cannot be read, one line that says which file, what it was for, and why.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, readFile, unlink, writeFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'a directory, not a file',
  ENOTDIR: 'a path component is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
};

/**
 * Failures of the machine or the filesystem rather than of Lacuna: the CLI reports them in one
 * line with exit 2, never as an internal error with a stack.
 */
export function isEnvironmentError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in ERRNO_WORDS;
}

/** A system error in words a user reads (ENOENT → "no such file or directory"), with the code. */
export function errnoMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') return ERRNO_WORDS[code];
  if (code && code in ERRNO_WORDS) return `${ERRNO_WORDS[code]} (${code})`;
  return (error as Error).message;
}

/** An environment error as a one-line UsageError naming the path and what was being done. */
export function environmentError(error: unknown, doing: string, path: string): unknown {
  return isEnvironmentError(error) ? new UsageError(`cannot ${doing} '${path}': ${errnoMessage(error)}`) : error;
}

/** Filesystems that have no hard links (some FUSE and object-store mounts) answer link() with these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Puts `temporary`'s content at `path` only if `path` does not exist (EEXIST otherwise): a hard
 * link, atomic and never half-written; where the filesystem has no hard links, an exclusive
 * create and copy, still never over an existing file.
 */
export async function linkExclusive(temporary: string, path: string): Promise<void> {
  try {
    await link(temporary, path);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(temporary, path, constants.COPYFILE_EXCL);
  }
}

/**
 * Writes a new file atomically and never over an existing one: Lacuna does not replace a file
 * it cannot prove it wrote. The data goes to a temporary name and is hard-linked into place,
 * which fails if the path exists.
 */
function existsError(path: string): UsageError {
  return new UsageError(`'${path}' already exists; Lacuna does not overwrite a file it did not write: choose another path or remove it`);
}

/** Throws what writeNewFile would if `path` exists now: for a command that writes it only after minutes of work. */
export async function assertAbsent(path: string): Promise<void> {
  try {
    await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw environmentError(error, 'check', path);
  }
  throw existsError(path);
}

export async function writeNewFile(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temporary, data, { flag: 'wx' });
    await linkExclusive(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(path);
    throw environmentError(error, 'write', path);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** The file's bytes, or a UsageError "cannot read <what> '<path>': <why>". */
export async function readUserFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${what} '${path}': ${errnoMessage(error)}`);
  }
}
