import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The suite's own cache, whatever the environment says: the global setup (which runs in this
// process) and the tests (which get `env` below) must use the same one.
const CACHE_DIR = join(tmpdir(), 'lacuna-test-cache');
process.env.LACUNA_CACHE_DIR = CACHE_DIR;

/**
 * The suite's longest files, longest first (seconds in a clean-clone CI run on two cores: 145, 144,
 * 133, 121, 117, 94, 82, 58). In a clean clone the embedding cache is cold, so the files that run
 * the sentence encoder over whole books (computing-pack, probes) are among the longest there though
 * quick on a warm machine; and with no timing cache vitest orders files by size, which started a
 * small file of 82 s last, alone on one of the two workers while the other sat idle.
 */
const LONGEST_FIRST = ['computing-pack', 'passage-heldout', 'resume', 'hostile-input', 'probes', 'mask-pipeline', 'passage-leave-one-out', 'bad-input'];

/** Vitest's own order (failed first, then by recorded duration or size), with the longest files above moved to the front. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((name) => file.moduleId.endsWith(`/test/${name}.test.ts`));
      return at < 0 ? LONGEST_FIRST.length : at;
    };
    const sorted = await super.sort(files);
    return sorted.map((file, index) => ({ file, index })).sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index).map(({ file }) => file);
  }
}

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
    sequence: { sequencer: LongestFirst },
  },
});
