import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The suite's own cache, whatever the environment says: the global setup (which runs in this
// process) and the tests (which get `env` below) must use the same one.
const CACHE_DIR = join(tmpdir(), 'lacuna-test-cache');
process.env.LACUNA_CACHE_DIR = CACHE_DIR;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn real runs over real texts; two cores in CI.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One cache for every test and run of the suite; the static embedder is distilled into it once,
    // before any test (test/global-setup.ts).
    env: { LACUNA_CACHE_DIR: CACHE_DIR },
    globalSetup: ['test/global-setup.ts'],
    maxWorkers: 2,
  },
});
