/** Finds a pack by built-in id or file path, parses YAML or JSON, validates it, and hashes it for the manifest. */
import { createHash } from 'node:crypto';
import { constants, existsSync, readdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UsageError } from '../../corpora/errors.js';
import { PACKAGE_ROOT } from '../../corpora/package-info.js';
import { readUserFile, writeNewFile } from '../../corpora/user-file.js';
import { defaultCacheDir } from '../../indexes/cache-dir.js';
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
  return validatePack(source, parsePackText(source, content));
}

function validatePack(source: string, data: unknown): Pack {
  const result = PackSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new UsageError(`${source}: ${formatIssuePath(issue.path)}: ${issue.message}${more}`);
  }
  return result.data;
}

function parsePackText(source: string, content: string): unknown {
  try {
    return extname(source).toLowerCase() === '.json' ? JSON.parse(content) : parseYaml(content, { prettyErrors: false });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` line ${error.linePos[0].line}` : '';
    throw new UsageError(`${source}:${where} cannot parse pack: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The YAML library's version: another version may read the same text into other data. */
const YAML_VERSION = (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;

/** How many parsed packs the cache keeps: the most recently used; each is about 150–250 kB. */
export const PACK_CACHE_ENTRIES = 32;

/**
 * What every entry begins with, the file name's key inside it: how Lacuna proves an entry is its
 * own before it prunes one.
 */
const ENTRY_MARK = '{"lacuna":"pack-parse-v2","key":"';
/** An entry's file name: its key, then the format. Files of the first format (`<key>.json`) are left alone. */
const ENTRY_NAME = /^([0-9a-f]{64})\.v2\.json$/;

/**
 * A pack's data; a YAML pack's is remembered as JSON in `cacheDir/packs` under the sha256 of its
 * text and the YAML library's version. Parsing the physics pack's 200 kB of YAML takes 0.2–0.3 s, a
 * sixth of a small `lacuna mask` run and of each test that runs one; its JSON reads in milliseconds.
 * Only the parse is remembered (the schema checks the data every time). An entry is written as a
 * new file and never over an existing one (writeNewFile); a cache that cannot be read or written is
 * no cache: the YAML is parsed, as without one. A hit marks the entry used (its mtime), and writing
 * one prunes the cache to its PACK_CACHE_ENTRIES most recently used.
 */
async function packData(source: string, content: string, cacheDir: string): Promise<unknown> {
  if (extname(source).toLowerCase() === '.json') return parsePackText(source, content);
  const key = createHash('sha256').update(`yaml ${YAML_VERSION}\n`).update(content).digest('hex');
  const dir = join(cacheDir, 'packs');
  const path = join(dir, `${key}.v2.json`);
  const remembered = await readEntry(path, key);
  if (remembered !== undefined) {
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined);
    return remembered;
  }
  const data = parsePackText(source, content);
  if (jsonSafe(data)) {
    const written = await mkdir(dir, { recursive: true })
      .then(() => writeNewFile(path, `${ENTRY_MARK}${key}","data":${JSON.stringify(data)}}`))
      .then(() => true)
      .catch(() => false);
    if (written) await prunePackCache(dir, PACK_CACHE_ENTRIES);
  }
  return data;
}

/** An entry's data, or undefined when it is absent, unreadable, torn or not one Lacuna wrote for `key`. */
async function readEntry(path: string, key: string): Promise<unknown> {
  try {
    const text = await readFile(path, 'utf8');
    if (!text.startsWith(`${ENTRY_MARK}${key}"`)) return undefined;
    return (JSON.parse(text) as { data: unknown }).data;
  } catch {
    return undefined;
  }
}

/**
 * Deletes all but the `keep` most recently used entries of a pack cache directory. Only a regular
 * file named `<sha256>.v2.json` whose first bytes are the entry mark with that same key is counted or
 * deleted: Lacuna wrote it. Everything else there (older entries, a user's files, another process's
 * half-written temporary file) is left alone. Another process pruning at once deletes the same
 * entries at worst; a reader that loses an entry parses the YAML.
 */
export async function prunePackCache(dir: string, keep: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const entries: { path: string; used: number }[] = [];
  for (const name of names) {
    const key = ENTRY_NAME.exec(name)?.[1];
    if (!key) continue;
    const path = join(dir, name);
    const found = await ownEntry(path, key);
    if (found) entries.push({ path, used: found.mtimeMs });
  }
  // Newest first; a tie is broken by name so two processes agree on which go.
  entries.sort((a, b) => b.used - a.used || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of entries.slice(keep)) await unlink(entry.path).catch(() => undefined);
}

/** The entry's stat when it is a regular file that begins with the mark for `key`, else undefined. */
async function ownEntry(path: string, key: string): Promise<{ mtimeMs: number } | undefined> {
  let handle: FileHandle | undefined;
  try {
    // Not through a link (O_NOFOLLOW), and the file opened is the one judged.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const head = Buffer.alloc(ENTRY_MARK.length + key.length + 1);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('utf8') === `${ENTRY_MARK}${key}"` ? info : undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Whether JSON gives back exactly this data (no NaN or infinity, no dates or other objects). */
function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([key, item]) => key !== '__proto__' && jsonSafe(item));
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

/** `cacheDir`: where a YAML pack's parse is remembered (default: Lacuna's cache directory). */
export async function loadPack(ref: string, cacheDir: string = defaultCacheDir()): Promise<LoadedPack> {
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
  const pack = validatePack(source, await packData(source, bytes.toString('utf8'), cacheDir));
  if (pack.passage) {
    pack.passage.model = passageModelPath(source, pack.passage.model);
    // Here, before any worker starts: a missing or altered model is the user's problem, said in one line.
    loadPassageModel(pack.passage);
  }
  return { pack, source, builtin, sha256: createHash('sha256').update(bytes).digest('hex'), warnings: packWarnings(pack) };
}
