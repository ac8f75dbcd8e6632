/**
 * The output directory of a run, written so that an interrupted run never
 * leaves a file that looks finished. Everything is written into a staging
 * directory inside the output directory (same filesystem, so renames are
 * atomic) and moved into place only when the run completes, manifest last:
 * a directory is a finished run exactly when it has a manifest.json.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { TOOL_NAME } from '../package-info.js';
import { environmentError, errnoMessage, linkExclusive } from '../user-file.js';
import { digestFile } from '../hashing.js';
import { refuseOverlap } from '../sources.js';
import { failpoint } from '../failpoints.js';
import { sealedManifestText, type ManifestOutput } from '../manifest.js';
import type { WrittenFile } from './jsonl-writer.js';
import { isAlive } from '../process-alive.js';

export const MANIFEST_NAME = 'manifest.json';
const STAGING_PREFIX = '.lacuna-staging-';
/** Held for the whole of a run: a second run into the same directory stops at once. */
export const LOCK_NAME = '.lacuna-lock';

/** Finished work units waiting for the merge (see pipelines/mask.ts). */
export const WORK_DIR_NAME = '.lacuna-work';
/**
 * Written before a commit moves anything into place and removed after the manifest: a run
 * killed half-way through its commit leaves files that are Lacuna's, and this says which.
 */
const COMMIT_JOURNAL = '.lacuna-commit.json';

/** Entries of a run directory that belong to a run in progress, not to a finished run's outputs. */
export function isRunScaffolding(entry: string): boolean {
  return entry === LOCK_NAME || entry === WORK_DIR_NAME || entry === COMMIT_JOURNAL || entry.startsWith(STAGING_PREFIX) || entry.startsWith(`${LOCK_NAME}.`);
}

/** The paths an interrupted commit was moving into place (relative), or none. */
async function readCommitJournal(outDir: string): Promise<string[]> {
  try {
    const journal = JSON.parse(await readFile(join(outDir, COMMIT_JOURNAL), 'utf8')) as { paths?: unknown };
    return Array.isArray(journal.paths) ? journal.paths.filter((path): path is string => typeof path === 'string') : [];
  } catch {
    return [];
  }
}

/** Writes a small file atomically: temporary name, fsync, rename. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw environmentError(error, 'write', path);
  }
}

/** What a finished run's manifest says about it; null when there is no manifest. */
async function readPreviousManifest(outDir: string): Promise<{ tool?: { name?: unknown }; outputs?: { path?: unknown }[] } | null> {
  let text: string;
  try {
    text = await readFile(join(outDir, MANIFEST_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read '${join(outDir, MANIFEST_NAME)}': ${errnoMessage(error)}`);
  }
  try {
    return JSON.parse(text) as { tool?: { name?: unknown }; outputs?: { path?: unknown }[] };
  } catch {
    return {};
  }
}

/**
 * The outputs a previous run listed that Lacuna may delete: relative paths that stay inside
 * `outDir` once resolved (no `..`, not absolute), and that are regular files, not links. A
 * manifest naming `../victim` or `/etc/passwd` deletes nothing.
 */
async function deletableOutputs(outDir: string, manifest: { outputs?: { path?: unknown }[] } | null): Promise<string[]> {
  const root = resolve(outDir);
  const paths: string[] = [];
  for (const output of manifest?.outputs ?? []) {
    if (typeof output.path !== 'string' || isAbsolute(output.path)) continue;
    const target = resolve(root, output.path);
    if (!target.startsWith(root + sep)) continue;
    const info = await lstat(target).catch(() => null);
    if (info?.isFile()) paths.push(target);
  }
  return paths;
}

interface LockHolder {
  pid?: number;
  host?: string;
  startedAt?: string;
}

async function readLockHolder(path: string): Promise<LockHolder | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : {};
  }
}

/**
 * Takes the directory's lock: the lock file is written under a temporary name and hard-linked
 * into place, which fails atomically when a lock exists, so two runs can never both hold it and
 * a lock file is never seen half-written (without hard links: an exclusive create, see
 * linkExclusive). A lock whose holder is a dead process on this host is stale (a run killed
 * with -9) and is taken over; a live holder, or one on another host (whose
 * pid cannot be checked from here), stops this run at once.
 */
async function acquireLock(outDir: string): Promise<string> {
  const path = join(outDir, LOCK_NAME);
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFileAtomic(temporary, JSON.stringify(holder) + '\n');
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await linkExclusive(temporary, path);
        return path;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`cannot lock output directory '${outDir}': ${errnoMessage(error)}`);
      }
      const current = await readLockHolder(path);
      if (current === null) continue; // released between our attempt and the read
      const stale = current.host === hostname() && typeof current.pid === 'number' && !isAlive(current.pid);
      if (!stale || attempt > 0) {
        const who = current.pid ? `pid ${current.pid} on ${current.host ?? 'an unknown host'}${current.startedAt ? `, since ${current.startedAt}` : ''}` : 'a holder that left no details';
        throw new UsageError(`output directory '${outDir}' is in use by another Lacuna run (${who}); if that run is gone, delete '${path}'`);
      }
      await unlink(path).catch(() => undefined);
    }
    throw new UsageError(`cannot lock output directory '${outDir}': another run keeps taking it`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Refuses a directory that holds a finished run unless `overwrite`, and any directory that
 * holds something other than a Lacuna run (it may be the user's data: an input file in
 * `corpus/`) unless it is empty.
 */
async function refuseUnlessReusable(outDir: string, overwrite: boolean): Promise<void> {
  try {
    const info = await stat(outDir);
    if (!info.isDirectory()) throw new UsageError(`output '${outDir}' exists and is not a directory`);
    const manifest = await readPreviousManifest(outDir);
    if (manifest && manifest.tool?.name !== TOOL_NAME) throw new UsageError(`output directory '${outDir}' holds a manifest.json that Lacuna did not write; choose another directory`);
    if (manifest && !overwrite) throw new UsageError(`output directory '${outDir}' already holds a finished run; pass --overwrite to replace it`);
    if (!manifest) {
      // A commit killed half-way left some of its files in place: they are Lacuna's.
      const journal = new Set((await readCommitJournal(outDir)).map((path) => path.split('/')[0]));
      const foreign = (await readdir(outDir)).filter((entry) => !isRunScaffolding(entry) && !journal.has(entry));
      if (foreign.length > 0) throw new UsageError(`output directory '${outDir}' is not empty and holds no Lacuna run (it has '${foreign.sort()[0]}'); choose an empty or new directory`);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot use output directory '${outDir}': ${errnoMessage(error)}`);
  }
}

/**
 * The checks a run makes before it writes into `outDir`, without taking the lock: for the ranks
 * of a cluster job, which share the directory (each writes only its own work units).
 */
export async function refuseForeignOutput(outDir: string, overwrite: boolean, inputs: string[]): Promise<void> {
  await refuseOverlap(inputs, outDir);
  await refuseUnlessReusable(outDir, overwrite);
}

export class RunDirectory {
  private constructor(
    readonly outDir: string,
    readonly stagingDir: string,
    private readonly lockPath: string,
    /** The first directory of `outDir`'s path this run created (mkdir's answer), undefined when it was there. */
    private readonly created: string | undefined,
  ) {}

  /**
   * Makes `outDir` ready for a run that reads `inputs`: refuses an output that overlaps an input,
   * a directory that is not a Lacuna run (unless empty), a finished run (unless `overwrite`) and
   * a directory another run holds; takes the lock; clears staging left by dead runs.
   */
  static async prepare(outDir: string, overwrite: boolean, inputs: string[]): Promise<RunDirectory> {
    await refuseOverlap(inputs, outDir);
    await refuseUnlessReusable(outDir, overwrite);
    let created: string | undefined;
    try {
      created = await mkdir(outDir, { recursive: true });
    } catch (error) {
      // A recursive mkdir can report ENOENT for a read-only parent; a plain one gives the real cause.
      const cause = await mkdir(outDir).then(() => error, (plain: unknown) => plain);
      throw new UsageError(`cannot create output directory '${outDir}': ${errnoMessage(cause)}`);
    }
    const lock = await acquireLock(outDir);
    try {
      // Checked again under the lock: a run may have finished into the directory since the first look.
      await refuseUnlessReusable(outDir, overwrite);
      // Under the lock no other run is writing here: any staging left is a dead run's, and so is
      // a lock file a dead process was about to link (a live one's link would fail anyway).
      for (const entry of await readdir(outDir)) {
        if (entry.startsWith(STAGING_PREFIX)) await rm(join(outDir, entry), { recursive: true, force: true });
        const pid = entry.startsWith(`${LOCK_NAME}.`) ? Number(entry.slice(LOCK_NAME.length + 1).split('-')[0]) : NaN;
        if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) await rm(join(outDir, entry), { force: true });
      }
      const stagingDir = join(outDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
      await mkdir(stagingDir);
      return new RunDirectory(outDir, stagingDir, lock, created);
    } catch (error) {
      await unlink(lock).catch(() => undefined);
      await removeCreatedIfEmpty(outDir, created);
      throw error;
    }
  }

  /** Where to write `relativePath` while the run is in progress. */
  async staged(relativePath: string): Promise<string> {
    const path = join(this.stagingDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    return path;
  }

  /**
   * Moves the staged files into place and writes the manifest last, sealed. The old
   * manifest goes first, so a crash in between leaves no manifest describing
   * files that are not its own.
   */
  async commit(relativePaths: string[], manifest: object): Promise<void> {
    const previous = await readPreviousManifest(this.outDir);
    const interrupted = (await readCommitJournal(this.outDir)).map((path) => ({ path }));
    const old = await deletableOutputs(this.outDir, { outputs: [...(previous?.outputs ?? []), ...interrupted] });
    // Journal first: from here until the manifest, the directory holds files that no manifest lists.
    const journal = [...new Set([...relativePaths, ...old.map((path) => path.slice(resolve(this.outDir).length + 1).split(sep).join('/'))])];
    await writeFileAtomic(join(this.outDir, COMMIT_JOURNAL), JSON.stringify({ paths: journal }) + '\n');
    await rm(join(this.outDir, MANIFEST_NAME), { force: true });
    // Only what the previous run listed goes (an older run with more shards leaves none behind);
    // anything else in the directory was not written by Lacuna and stays.
    for (const path of old) await rm(path, { force: true });
    // Folders those files leave empty (index/ after a run without an index) go too; rmdir refuses a non-empty one.
    for (const folder of new Set(old.map((path) => dirname(path)).filter((folder) => folder !== resolve(this.outDir)))) await rmdir(folder).catch(() => undefined);
    for (const path of relativePaths) {
      const target = join(this.outDir, path);
      await mkdir(dirname(target), { recursive: true });
      await rename(join(this.stagingDir, path), target);
      if (path === relativePaths[Math.floor(relativePaths.length / 2)]) failpoint('commit-after-moves');
    }
    await writeFileAtomic(join(this.outDir, MANIFEST_NAME), sealedManifestText(manifest));
    await rm(join(this.outDir, COMMIT_JOURNAL), { force: true });
    await rm(this.stagingDir, { recursive: true, force: true });
    await unlink(this.lockPath).catch(() => undefined);
  }

  /** A directory to fill while the run is in progress. */
  async stagedDir(relativePath: string): Promise<string> {
    const path = join(this.stagingDir, relativePath);
    await mkdir(path, { recursive: true });
    return path;
  }

  /** Writes a small file (a report) into staging, atomically, and says what was written. */
  async writeFile(relativePath: string, content: string): Promise<WrittenFile> {
    const path = await this.staged(relativePath);
    await writeFileAtomic(path, content);
    return { path, records: 0, ...(await digestFile(path)) };
  }

  /** A file already written into staging (by a library), described for the manifest. */
  async describeStaged(relativePath: string): Promise<WrittenFile> {
    const path = join(this.stagingDir, relativePath);
    return { path, records: 0, ...(await digestFile(path)) };
  }

  /** A staged file as the manifest lists it: its path relative to the output directory. */
  manifestOutput(file: WrittenFile): ManifestOutput {
    const path = file.path.slice(this.stagingDir.length + 1).split('\\').join('/');
    return { path, bytes: file.bytes, sha256: file.sha256, records: file.records };
  }

  /**
   * Undoes a failed run: its staging and lock go, and so do the directories the run created for
   * `outDir` if nothing else is in them (a run that failed on a model or an input after making its
   * output directory left it empty, where no directory had been). A directory that holds anything,
   * finished work units kept for a rerun or a file someone put there, stays.
   */
  async abort(): Promise<void> {
    await rm(this.stagingDir, { recursive: true, force: true });
    await unlink(this.lockPath).catch(() => undefined);
    await removeCreatedIfEmpty(this.outDir, this.created);
  }
}

/**
 * Removes `outDir` and its parents up to `created` (the first one a recursive mkdir made), each
 * only while it is empty: rmdir never removes a directory that holds anything.
 */
async function removeCreatedIfEmpty(outDir: string, created: string | undefined): Promise<void> {
  if (created === undefined) return;
  const top = resolve(created);
  for (let dir = resolve(outDir); dir === top || dir.startsWith(top + sep); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    if (dir === top) return;
  }
}
