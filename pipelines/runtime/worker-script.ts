/**
 * The JavaScript file of a worker entry point. Workers need compiled JS; under
 * vitest the pipeline runs from the TypeScript sources, so it points at the
 * built copy in dist/ (`npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../corpora/package-info.js';

export function workerScript(name: string): string {
  const here = fileURLToPath(import.meta.url);
  const script = here.endsWith('.ts') ? join(PACKAGE_ROOT, 'dist', 'pipelines', `${name}.js`) : join(here, '..', '..', `${name}.js`);
  if (!existsSync(script)) throw new Error(`worker script ${script} is missing; run npm run build`);
  return script;
}
