import { parseArgs, ParseArgsConfig } from 'util';

/** Bad command-line usage: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly help?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with our errors: unknown options and missing values become UsageErrors. */
export function parse<T extends Options>(argv: string[], options: T, help: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' }, verbose: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, help);
  }
}

export function integerOption(value: string | undefined, name: string, help: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min} (got "${value}")`, help);
  return n;
}

export function numberOption(value: string | undefined, name: string, help: string, check: (n: number) => boolean, range: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${range} (got "${value}")`, help);
  return n;
}

/** Exactly one positional argument (a file). */
export function onePositional(positionals: string[], what: string, help: string): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one ${what}, got ${positionals.length}` : `missing ${what}`, help);
  return positionals[0];
}

export function requiredOption(value: string | undefined, name: string, help: string): string {
  if (!value) throw new UsageError(`missing --${name}`, help);
  return value;
}
