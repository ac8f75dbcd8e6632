/** Loads the embedders the semantic detector and verification use, from the package and the cache directory. */
import { join } from 'node:path';
import { EmbeddingCache } from './embedding-cache.js';
import type { Embedder } from './embedders/embedder.js';
import { StaticEmbedder } from './embedders/static.js';
import { USE_LITE_ID, UseLiteEmbedder } from './embedders/use-lite.js';
import { TransformersEmbedder } from './embedders/transformers.js';

export interface LoadedModels {
  encoder: EmbeddingCache;
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

export const DEFAULT_MODEL = 'use-lite';

/**
 * The encoder: USE lite by default, or any transformers.js feature-extraction
 * model (`hf:<repo>` or a directory). The screen is always distilled from USE
 * lite, whose tokenizer it needs; it only decides what to embed, so it need
 * not match the encoder. (A pack's thresholds are calibrated for one encoder:
 * run `lacuna calibrate --model` for another.)
 */
export async function loadSemanticModels(cacheDir: string, model: string = DEFAULT_MODEL): Promise<LoadedModels> {
  const use = await UseLiteEmbedder.load();
  const screen = await StaticEmbedder.distil(use, cacheDir);
  const chosen: Embedder = model === DEFAULT_MODEL ? use : await TransformersEmbedder.load(model, cacheDir);
  return { encoder: new EmbeddingCache(join(cacheDir, 'embeddings'), chosen), screen };
}

/** The encoder's id for the manifest: USE lite's without loading it, another model's once loaded. */
export async function encoderId(model: string, cacheDir: string): Promise<string> {
  return model === DEFAULT_MODEL ? USE_LITE_ID : (await TransformersEmbedder.load(model, cacheDir)).id;
}
