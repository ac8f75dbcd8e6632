/**
 * A mistake of the user's (bad flag, unreadable input, invalid pack...): the CLI
 * prints its one-line message and exits with `exitCode`, never a stack trace.
 * Anything else that is thrown is a bug in Lacuna and is reported as such.
 */
export class UsageError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = exitCode;
  }
}
