/**
 * An error caused by the user's input (a file, a setting, an argument) rather than by a bug.
 * Its message is complete and meant to be shown as is: the CLI prints it without a stack trace
 * and the extension shows it in a notification.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Thrown when an AbortSignal stops a long operation (parsing, training, predicting). */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

export function isCancelled(err: unknown): err is CancelledError {
  return err instanceof Error && err.name === 'CancelledError';
}
