/**
 * Runs once before the suite: distils the static screen embedder into the suite's cache
 * (vitest.config.ts sets LACUNA_CACHE_DIR), so no test pays the distillation (about 25 s) or
 * depends on another test having paid it. Sentence embeddings are still cached by the tests
 * that compute them, each for its own sentences.
 */
import { ensureDistilled } from '../indexes/semantic-models.js';

export default async function setup(): Promise<void> {
  const cacheDir = process.env.LACUNA_CACHE_DIR;
  if (!cacheDir) throw new Error('vitest.config.ts sets LACUNA_CACHE_DIR for the suite');
  await ensureDistilled(cacheDir);
}
