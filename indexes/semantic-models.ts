/** Loads the embedders the semantic detector and verification use, from the package and the cache directory. */
import { join } from 'node:path';
import { EmbeddingCache } from './embedding-cache.js';
import type { Embedder } from './embedders/embedder.js';
import { StaticEmbedder } from './embedders/static.js';
import { UseLiteEmbedder } from './embedders/use-lite.js';

export interface LoadedModels {
  encoder: EmbeddingCache;
  encoderId: string;
  screen: StaticEmbedder;
}

/**
 * Distils the static embedder into the cache directory if it is not there
 * yet, on the main thread, so that worker threads load it instead of each
 * distilling it at once.
 */
export async function ensureDistilled(cacheDir: string): Promise<void> {
  if (await StaticEmbedder.isDistilled(cacheDir)) return;
  await StaticEmbedder.distil(await UseLiteEmbedder.load(), cacheDir);
}

/** The id of the default encoder, without loading it. */
export { USE_LITE_ID as DEFAULT_ENCODER_ID } from './embedders/use-lite.js';

/**
 * The default encoder is USE lite; another embedder (transformers.js) may be
 * passed. The screen is always distilled from USE lite, whose tokenizer it
 * needs; it only decides what to embed, so it need not match the encoder.
 */
export async function loadSemanticModels(cacheDir: string, encoder?: Embedder): Promise<LoadedModels> {
  const use = await UseLiteEmbedder.load();
  const screen = await StaticEmbedder.distil(use, cacheDir);
  const chosen = encoder ?? use;
  return { encoder: new EmbeddingCache(join(cacheDir, 'embeddings'), chosen), encoderId: chosen.id, screen };
}
