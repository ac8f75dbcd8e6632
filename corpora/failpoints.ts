/**
 * Named points where a test can make Lacuna die as `kill -9` would, to prove that a rerun after
 * a crash at that very point gives the same output (test/resume.test.ts). Inert unless
 * LACUNA_FAILPOINT names the point; costs one environment lookup where it is placed.
 */
export type Failpoint = 'unit-after-first-batch' | 'unit-before-rename' | 'merge-after-corpus' | 'before-verify' | 'commit-after-moves' | 'after-manifest';

export function failpoint(name: Failpoint): void {
  if (process.env.LACUNA_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
