// The one error vocabulary of handlers and the runtime: a PermanentError is never
// retried (the message goes to the dead-letter queue at once); anything else is
// taken as transient and retried with growing delays, then dead-lettered.

/** A failure that no retry can cure: a broken message, a violated business invariant. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/** A failure worth retrying (database or SMTP down); the default for unknown errors. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError;
}

/** The error's message with its context, and the first lines of its stack. */
export function describeError(error: unknown, stackLines = 5): { message: string; stack: string } {
  if (error instanceof Error) {
    const stack = (error.stack ?? '').split('\n').slice(1, 1 + stackLines).map((l) => l.trim()).join('\n');
    return { message: `${error.name}: ${error.message}`, stack };
  }
  return { message: String(error), stack: '' };
}
