/**
 * Errors cross a worker-thread boundary as plain data (structured clone keeps neither a class
 * nor an errno's fields reliably), and become the same kind of error on the other side: a
 * user's mistake stays a one-line UsageError with its exit code, a full or read-only disk stays
 * an environment error, and only a bug keeps its stack.
 */
import { UsageError } from '../../corpora/errors.js';

export interface SerializedError {
  message: string;
  stack?: string;
  usageExitCode?: number;
  code?: string;
  path?: string;
  syscall?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof UsageError) return { message: error.message, usageExitCode: error.exitCode };
  if (error instanceof Error) {
    const errno = error as NodeJS.ErrnoException;
    return { message: error.message, stack: error.stack, code: errno.code, path: errno.path, syscall: errno.syscall };
  }
  return { message: String(error) };
}

export function deserializeError(data: SerializedError): Error {
  if (data.usageExitCode !== undefined) return new UsageError(data.message, data.usageExitCode);
  const error = new Error(data.message) as NodeJS.ErrnoException;
  if (data.stack) error.stack = data.stack;
  if (data.code) error.code = data.code;
  if (data.path) error.path = data.path;
  if (data.syscall) error.syscall = data.syscall;
  return error;
}
