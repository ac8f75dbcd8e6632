/**
 * Resolves the inputs named on the command line into the files to read, in a
 * fixed order (directory members sorted by path), each with its format.
 */
import { access, constants, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';
import { errnoMessage } from './user-file.js';
import type { InputFile, InputFormat } from './readers/types.js';

const COMPRESSION_SUFFIXES = ['.gz', '.zst', '.zstd'];
const FORMAT_BY_EXTENSION: Record<string, InputFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.txt': 'text',
  '.text': 'text',
  '.md': 'text',
  '.markdown': 'text',
  '.parquet': 'parquet',
};

export type FormatChoice = InputFormat | 'auto';

/** The format a file name implies, looking through .gz/.zst; undefined when it implies none. */
export function formatFromName(name: string): InputFormat | undefined {
  let lower = name.toLowerCase();
  for (const suffix of COMPRESSION_SUFFIXES) if (lower.endsWith(suffix)) lower = lower.slice(0, -suffix.length);
  const dot = lower.lastIndexOf('.');
  return dot < 0 ? undefined : FORMAT_BY_EXTENSION[lower.slice(dot)];
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** A directory member that is not read, and why: recorded in the manifest, never dropped silently. */
export interface SkippedInput {
  path: string;
  reason: string;
}

interface Walk {
  files: string[];
  skipped: SkippedInput[];
  /** Real paths of the directories entered, so a symbolic link loop is entered once. */
  entered: Set<string>;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The files below `dir`, sorted by path. Symbolic links are followed (to a file or a directory)
 * with loop protection; a broken link, a loop, a hidden entry, or anything that is neither a file
 * nor a directory is recorded as skipped with its reason.
 */
async function walk(dir: string, state: Walk): Promise<void> {
  state.entered.add(await realpath(dir));
  const entries = (await readdir(dir, { withFileTypes: true })).sort(byName);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.')) {
      state.skipped.push({ path, reason: 'hidden (its name starts with a dot)' });
      continue;
    }
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch((error: NodeJS.ErrnoException) => error);
      if (target instanceof Error) {
        state.skipped.push({ path, reason: `symbolic link that cannot be followed (${errnoMessage(target)})` });
        continue;
      }
      isDirectory = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDirectory) {
      if (state.entered.has(await realpath(path))) state.skipped.push({ path, reason: 'symbolic link to a directory already read (a loop or a second way in)' });
      else await walk(path, state);
    } else if (isFile) state.files.push(path);
    else state.skipped.push({ path, reason: 'not a regular file or directory' });
  }
}

/** Whether `inner` is `outer` or lies below it. */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest (for an --out not yet made). */
async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await realPathOf(parent), basename(absolute));
  }
}

/**
 * Refuses an output directory that overlaps an input: a rerun would read its own output as
 * input (and never finish, as it grows), or replace the input it is reading.
 */
export async function refuseOverlap(inputs: string[], out: string): Promise<void> {
  const outReal = await realPathOf(out);
  for (const input of inputs) {
    if (input === '-') continue;
    const inputReal = await realPathOf(input);
    if (within(outReal, inputReal)) throw new UsageError(`output directory '${out}' lies inside input '${input}': a run would read its own output; choose an output outside the inputs`);
    if (within(inputReal, outReal)) throw new UsageError(`input '${input}' lies inside output directory '${out}': choose an output outside the inputs`);
  }
}

export interface ResolvedInputs {
  files: InputFile[];
  /** Directory members not read: no supported format in the name, hidden, broken links... */
  skipped: SkippedInput[];
}

export async function resolveInputs(inputs: string[], format: FormatChoice = 'auto'): Promise<ResolvedInputs> {
  if (inputs.length === 0) throw new UsageError('no input given (name files, directories, or - for stdin)');
  const files: InputFile[] = [];
  const skipped: SkippedInput[] = [];
  let stdinSeen = false;
  for (const input of inputs) {
    if (input === '-') {
      if (stdinSeen) throw new UsageError('stdin (-) is named more than once');
      stdinSeen = true;
      files.push({ path: '-', label: '-', format: format === 'auto' ? 'jsonl' : format });
      continue;
    }
    let info;
    try {
      info = await stat(input);
      await access(input, constants.R_OK);
    } catch (error) {
      throw new UsageError(`cannot read input '${input}': ${errnoMessage(error)}`);
    }
    if (info.isDirectory()) {
      const walked: Walk = { files: [], skipped, entered: new Set() };
      await walk(input, walked);
      let found = 0;
      for (const path of walked.files) {
        const implied = formatFromName(path);
        if (!implied) {
          skipped.push({ path, reason: 'its name implies no supported format' });
          continue;
        }
        found++;
        const size = (await stat(path)).size;
        // Ids of directory members are their paths below the directory: stable wherever the corpus lives.
        files.push({ path, label: toPosix(relative(input, path)), format: format === 'auto' ? implied : format, size });
      }
      if (found === 0) throw new UsageError(`input directory '${input}' holds no .jsonl, .json, .parquet, .txt or .md files`);
      continue;
    }
    const implied = formatFromName(input);
    const chosen = format === 'auto' ? implied : format;
    if (!chosen) throw new UsageError(`cannot tell the format of '${input}' from its name; pass --format jsonl|json|parquet|text`);
    files.push({ path: input, label: basename(input), format: chosen, size: info.size });
  }
  return { files, skipped: skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}
