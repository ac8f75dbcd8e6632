/**
 * The output directory of a run, written so that an interrupted run never
 * leaves a file that looks finished. Everything is written into a staging
 * directory inside the output directory (same filesystem, so renames are
 * atomic) and moved into place only when the run completes, manifest last:
 * a directory is a finished run exactly when it has a manifest.json.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { TOOL_NAME } from '../package-info.js';
import { errnoMessage } from '../user-file.js';
import { digestFile } from '../hashing.js';
import type { ManifestOutput } from '../manifest.js';
import type { WrittenFile } from './jsonl-writer.js';

export const MANIFEST_NAME = 'manifest.json';
const STAGING_PREFIX = '.lacuna-staging-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes a small file atomically: temporary name, fsync, rename. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
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

export class RunDirectory {
  private constructor(
    readonly outDir: string,
    readonly stagingDir: string,
  ) {}

  /**
   * Refuses a directory that holds a finished run unless `overwrite`, and any directory that
   * holds something other than a Lacuna run (it may be the user's data: an input file in
   * `corpus/`) unless it is empty; clears staging left by dead runs.
   */
  static async prepare(outDir: string, overwrite: boolean): Promise<RunDirectory> {
    try {
      const info = await stat(outDir);
      if (!info.isDirectory()) throw new UsageError(`output '${outDir}' exists and is not a directory`);
      const manifest = await readPreviousManifest(outDir);
      if (manifest && manifest.tool?.name !== TOOL_NAME) throw new UsageError(`output directory '${outDir}' holds a manifest.json that Lacuna did not write; choose another directory`);
      if (manifest && !overwrite) throw new UsageError(`output directory '${outDir}' already holds a finished run; pass --overwrite to replace it`);
      if (!manifest) {
        const foreign = (await readdir(outDir)).filter((entry) => !entry.startsWith(STAGING_PREFIX));
        if (foreign.length > 0) throw new UsageError(`output directory '${outDir}' is not empty and holds no Lacuna run (it has '${foreign.sort()[0]}'); choose an empty or new directory`);
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot use output directory '${outDir}': ${errnoMessage(error)}`);
    }
    try {
      await mkdir(outDir, { recursive: true });
    } catch (error) {
      throw new UsageError(`cannot create output directory '${outDir}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    for (const entry of await readdir(outDir)) {
      if (!entry.startsWith(STAGING_PREFIX)) continue;
      const pid = Number(entry.slice(STAGING_PREFIX.length).split('-')[0]);
      if (Number.isInteger(pid) && !isAlive(pid)) await rm(join(outDir, entry), { recursive: true, force: true });
    }
    const stagingDir = join(outDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(stagingDir);
    return new RunDirectory(outDir, stagingDir);
  }

  /** Where to write `relativePath` while the run is in progress. */
  async staged(relativePath: string): Promise<string> {
    const path = join(this.stagingDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    return path;
  }

  /**
   * Moves the staged files into place and writes the manifest last. The old
   * manifest goes first, so a crash in between leaves no manifest describing
   * files that are not its own.
   */
  async commit(relativePaths: string[], manifestJson: string): Promise<void> {
    const old = await deletableOutputs(this.outDir, await readPreviousManifest(this.outDir));
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
    }
    await writeFileAtomic(join(this.outDir, MANIFEST_NAME), manifestJson);
    await rm(this.stagingDir, { recursive: true, force: true });
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

  async abort(): Promise<void> {
    await rm(this.stagingDir, { recursive: true, force: true });
  }
}
