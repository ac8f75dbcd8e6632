#!/usr/bin/env node
/**
 * The `lacuna` command. Thin on purpose: parse, call a pipeline, print.
 * Exit codes: 0 success, 1 verification failed (--fail-on-leak), an altered run or a replay
 * mismatch, 2 bad usage, unreadable input/configuration or a filesystem failure (one line, no
 * stack), 70 a bug in Lacuna (with its stack).
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from '../corpora/errors.js';
import { TOOL_VERSION } from '../corpora/package-info.js';
import { errnoMessage, isEnvironmentError } from '../corpora/user-file.js';
import { applyCommand } from './commands/apply.js';
import { auditCommand } from './commands/audit.js';
import { calibrateCommand } from './commands/calibrate.js';
import { doseCommand } from './commands/dose.js';
import { evalCommand } from './commands/eval.js';
import { maskCommand } from './commands/mask.js';
import { packsCommand } from './commands/packs.js';
import { probesCommand } from './commands/probes.js';
import { replayCommand } from './commands/replay.js';
import { slurmCommand } from './commands/slurm.js';
import { trainCommand } from './commands/train.js';
import { verifyCommand } from './commands/verify.js';

const USAGE_EXIT = 2;

function program(): Command {
  const root = new Command('lacuna')
    .description('Build knowledge-masked corpora: detect, excise and verify a body of knowledge, with provenance.')
    .version(TOOL_VERSION)
    .showSuggestionAfterError();
  for (const command of [maskCommand(), applyCommand(), auditCommand(), verifyCommand(), replayCommand(), calibrateCommand(), trainCommand(), evalCommand(), probesCommand(), doseCommand(), slurmCommand(), packsCommand()]) root.addCommand(command);
  // Every (sub)command reports parse errors as one line and exits 2 instead of commander's default 1.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({ outputError: (message, write) => write(`lacuna: ${message.replace(/^error: /, '')}`) });
    command.commands.forEach(configure);
  };
  configure(root);
  return root;
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they already printed.
      process.exitCode = error.exitCode === 0 ? 0 : USAGE_EXIT;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`lacuna: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    // The disk, not Lacuna: full, read-only, permissions. One line, with the path when known.
    if (isEnvironmentError(error)) {
      const where = error.path ? `cannot ${error.syscall ?? 'use'} '${error.path}': ` : '';
      process.stderr.write(`lacuna: ${where}${errnoMessage(error)}\n`);
      process.exitCode = USAGE_EXIT;
      return;
    }
    // Not the user's mistake: show everything, so it can be reported.
    process.stderr.write(`lacuna: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  }
}

await main();
