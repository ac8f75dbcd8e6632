import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn real runs over real texts; two cores in CI.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One cache for every test and run of the suite: the static embedder is distilled once (about 25 s).
    env: { LACUNA_CACHE_DIR: join(tmpdir(), 'lacuna-test-cache') },
    maxWorkers: 2,
  },
});
