/** Where Lacuna keeps what it computes once: distilled embedders and embedding caches. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultCacheDir(): string {
  if (process.env.LACUNA_CACHE_DIR) return process.env.LACUNA_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lacuna');
}

/** A file-name-safe form of a model id. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_');
}
