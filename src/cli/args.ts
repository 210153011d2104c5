import * as path from 'path';
import { parseArgs, type ParseArgsConfig } from 'util';
import { BACKEND_PREFERENCES, type BackendPreference } from '../engine/core/types';

/** Help lines every command on one model shares. */
export const MODEL_OPTION_HELP = '  --model PATH    model folder (or its model.json), or a Keras .h5 / .keras file';
export const COMMON_OPTIONS_HELP = [`  --backend ${BACKEND_PREFERENCES.join('|')}`, '  --verbose       show stack traces on errors', '  -h, --help      this help'].join('\n');

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

export function backendOption(value: string | undefined, help: string): BackendPreference | undefined {
  if (value === undefined) return undefined;
  if ((BACKEND_PREFERENCES as readonly string[]).includes(value)) return value as BackendPreference;
  throw new UsageError(`--backend must be ${BACKEND_PREFERENCES.join(', ')} (got "${value}")`, help);
}

/**
 * The arguments every command on one model shares: one file (or folder) to work on, `--model`
 * and `--backend`, plus the command's own options. Undefined when --help was asked for (printed).
 */
export function modelCommand<T extends Options>(argv: string[], help: string, what: string, options: T = {} as T) {
  const { values, positionals } = parse(argv, { model: { type: 'string' }, backend: { type: 'string' }, ...options }, help) as { values: Record<string, string | boolean | undefined>; positionals: string[] };
  if (values.help) {
    console.log(help);
    return undefined;
  }
  return {
    values,
    target: path.resolve(onePositional(positionals, what, help)),
    model: path.resolve(requiredOption(values.model as string | undefined, 'model', help)),
    backend: backendOption(values.backend as string | undefined, help),
  };
}
