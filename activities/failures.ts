/**
 * Turns the project's errors into Temporal failures with an explicit type, non-retryable where
 * a retry cannot help (bad input), so the workflow and the CLI see the real message.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { LaborError } from '../lib/errors';

export function toFailure(err: unknown): never {
  if (err instanceof LaborError) {
    throw ApplicationFailure.create({ message: err.message, type: err.type, nonRetryable: err.nonRetryable });
  }
  throw err;
}

/** Wraps an activity so project errors cross into Temporal as typed failures. */
export function typed<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      return toFailure(err);
    }
  };
}
