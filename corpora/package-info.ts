/** Where Lacuna is installed and what version it is, for manifests and built-in data. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
