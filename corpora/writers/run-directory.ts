/**
 * The output directory of a run, written so that an interrupted run never
 * leaves a file that looks finished. Everything is written into a staging
 * directory inside the output directory (same filesystem, so renames are
 * atomic) and moved into place only when the run completes, manifest last:
 * a directory is a finished run exactly when it has a manifest.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
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

async function previousOutputs(outDir: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(await readFile(join(outDir, MANIFEST_NAME), 'utf8')) as { outputs?: { path?: unknown }[] };
    return (manifest.outputs ?? []).map((output) => output.path).filter((path): path is string => typeof path === 'string');
  } catch {
    return [];
  }
}

export class RunDirectory {
  private constructor(
    readonly outDir: string,
    readonly stagingDir: string,
  ) {}

  /** Refuses a directory that holds a finished run unless `overwrite`; clears staging left by dead runs. */
  static async prepare(outDir: string, overwrite: boolean): Promise<RunDirectory> {
    try {
      const info = await stat(outDir);
      if (!info.isDirectory()) throw new UsageError(`output '${outDir}' exists and is not a directory`);
      if (!overwrite) {
        const finished = await stat(join(outDir, MANIFEST_NAME)).then(() => true, () => false);
        if (finished) throw new UsageError(`output directory '${outDir}' already holds a finished run; pass --overwrite to replace it`);
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot use output directory '${outDir}': ${(error as Error).message}`);
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
    const old = await previousOutputs(this.outDir);
    await rm(join(this.outDir, MANIFEST_NAME), { force: true });
    for (const path of old) await rm(join(this.outDir, path), { force: true });
    // A directory the run writes (corpus/) belongs to it wholly: an older run with
    // more shards must not leave its extra shards mixed in with the new ones.
    const ownedDirs = new Set(relativePaths.filter((path) => path.includes('/')).map((path) => path.split('/')[0]));
    for (const dir of ownedDirs) await rm(join(this.outDir, dir), { recursive: true, force: true });
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
