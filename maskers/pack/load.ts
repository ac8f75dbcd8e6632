/** Finds a pack by built-in id or file path, parses YAML or JSON, validates it, and hashes it for the manifest. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UsageError } from '../../corpora/errors.js';
import { PACKAGE_ROOT } from '../../corpora/package-info.js';
import { readUserFile } from '../../corpora/user-file.js';
import { loadPassageModel } from '../detectors/passage.js';
import { formatIssuePath, PackSchema, packWarnings, type Pack } from './schema.js';

export const BUILTIN_PACK_DIR = join(PACKAGE_ROOT, 'maskers', 'packs');
const PACK_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface LoadedPack {
  pack: Pack;
  /** Where it was read from. */
  source: string;
  builtin: boolean;
  sha256: string;
  /** What the pack may get wrong though valid (see packWarnings), for the CLI to show. */
  warnings: string[];
}

export function builtinPackIds(): string[] {
  return readdirSync(BUILTIN_PACK_DIR)
    .filter((name) => PACK_EXTENSIONS.includes(extname(name)))
    .map((name) => name.slice(0, -extname(name).length))
    .sort();
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || PACK_EXTENSIONS.includes(extname(ref).toLowerCase());
}

/** Parses and validates pack text; errors name the file, the place inside it and the problem. */
export function parsePack(source: string, content: string): Pack {
  let data: unknown;
  try {
    data = extname(source).toLowerCase() === '.json' ? JSON.parse(content) : parseYaml(content, { prettyErrors: false });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` line ${error.linePos[0].line}` : '';
    throw new UsageError(`${source}:${where} cannot parse pack: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = PackSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new UsageError(`${source}: ${formatIssuePath(issue.path)}: ${issue.message}${more}`);
  }
  return result.data;
}

/**
 * Where a pack's passage model is: beside the pack as it names it, else (a built-in pack
 * copied elsewhere to be edited) the built-in model of that name. The loader checks the
 * sha256 either way. Absolute, because workers get the pack by value.
 */
function passageModelPath(source: string, model: string): string {
  const beside = resolve(dirname(source), model);
  if (existsSync(beside)) return beside;
  const builtin = join(BUILTIN_PACK_DIR, model);
  return existsSync(builtin) ? builtin : beside;
}

export async function loadPack(ref: string): Promise<LoadedPack> {
  let source: string;
  let builtin = false;
  if (looksLikePath(ref)) source = ref;
  else {
    const ids = builtinPackIds();
    if (!ids.includes(ref)) throw new UsageError(`unknown pack '${ref}' (built-in packs: ${ids.join(', ')}; or give a path to a .yaml or .json pack)`);
    const file = readdirSync(BUILTIN_PACK_DIR).find((name) => name.slice(0, -extname(name).length) === ref)!;
    source = join(BUILTIN_PACK_DIR, file);
    builtin = true;
  }
  const bytes = await readUserFile(source, 'pack');
  const pack = parsePack(source, bytes.toString('utf8'));
  if (pack.passage) {
    pack.passage.model = passageModelPath(source, pack.passage.model);
    // Here, before any worker starts: a missing or altered model is the user's problem, said in one line.
    loadPassageModel(pack.passage);
  }
  return { pack, source, builtin, sha256: createHash('sha256').update(bytes).digest('hex'), warnings: packWarnings(pack) };
}
