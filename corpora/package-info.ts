/** Where Lacuna is installed and what version it is, for manifests and built-in data. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  // Walks up from this file: the sources (under vitest) and the build (dist/) sit at different depths.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'lacuna') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the lacuna package root');
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
export const TOOL_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const TOOL_NAME = 'lacuna';

/** The folders of the code whose every byte can move a run's output (the CLI builds its options). */
const BUILD_DIRS = ['corpora', 'maskers', 'indexes', 'pipelines', 'cli'];

let build: string | undefined;

/**
 * A fingerprint of the code that is running: the sha256 (first 16 hex digits) of every module
 * of BUILD_DIRS, by path and content, in the form that runs (the build's .js, or the sources'
 * .ts under vitest). The package version alone names no change: it stayed 0.1.0 while the policy
 * and the detectors changed, so a run resumed after an update could have mixed work units decided
 * by two versions of the code. A mask run's key includes this (pipelines/mask.ts, runKey), and the
 * manifests of mask, audit and dose record it. About 800 kB of modules, read once per process.
 */
export function toolBuild(): string {
  if (build !== undefined) return build;
  const self = fileURLToPath(import.meta.url);
  const extension = extname(self);
  const root = dirname(dirname(self));
  const hash = createHash('sha256');
  for (const dir of BUILD_DIRS) {
    for (const file of modulesUnder(join(root, dir), extension)) {
      hash.update(relative(root, file).split('\\').join('/')).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return (build = hash.digest('hex').slice(0, 16));
}

/** Every file under `dir` ending in `extension` (not a .d.ts), in a fixed order. */
function modulesUnder(dir: string, extension: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modulesUnder(path, extension));
    else if (entry.isFile() && entry.name.endsWith(extension) && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}
