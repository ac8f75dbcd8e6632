/**
 * Resolves the inputs named on the command line into the files to read, in a
 * fixed order (directory members sorted by path), each with its format.
 */
import { readdir, stat, access, constants } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
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

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}


export interface ResolvedInputs {
  files: InputFile[];
  /** Directory members left out because their names imply no supported format. */
  skipped: string[];
}

export async function resolveInputs(inputs: string[], format: FormatChoice = 'auto'): Promise<ResolvedInputs> {
  if (inputs.length === 0) throw new UsageError('no input given (name files, directories, or - for stdin)');
  const files: InputFile[] = [];
  const skipped: string[] = [];
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
      const members = await walk(input);
      let found = 0;
      for (const path of members) {
        const implied = formatFromName(path);
        if (!implied) {
          skipped.push(path);
          continue;
        }
        found++;
        const size = (await stat(path)).size;
        // Ids of directory members are their paths below the directory: stable wherever the corpus lives.
        files.push({ path, label: toPosix(relative(input, path)), format: format === 'auto' ? implied : format, size });
      }
      if (found === 0) throw new UsageError(`input directory '${input}' holds no .jsonl, .json, .txt or .md files`);
      continue;
    }
    const implied = formatFromName(input);
    const chosen = format === 'auto' ? implied : format;
    if (!chosen) throw new UsageError(`cannot tell the format of '${input}' from its name; pass --format jsonl|json|text`);
    files.push({ path: input, label: basename(input), format: chosen, size: info.size });
  }
  return { files, skipped };
}
