import * as path from 'path';
import { parseArgs, type ParseArgsConfig } from 'util';
import { BACKEND_PREFERENCES, type BackendPreference } from '../engine/core/types';
import { optionKeys, parseOptionText, rangeText, validText, type OptionSchema, type OptionSpec, type OptionValues } from '../shared/options';

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

// --- an option schema as flags (src/shared/options.ts) -------------------------------------------

/** An option's flag: its key in kebab case (batchSize → batch-size); no-<flag> for a boolean that defaults to true. */
export function flagOf(key: string, spec: OptionSpec): string {
  const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return spec.type === 'boolean' && spec.default ? `no-${flag}` : flag;
}

/** The schema's flags in parseArgs' form: a boolean option is a switch, any other takes a value. */
export function schemaFlags(schema: OptionSchema): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(optionKeys(schema).map((key) => [flagOf(key, schema[key]), { type: schema[key].type === 'boolean' ? 'boolean' : 'string' }]));
}

/** The options the flags set, each checked against its schema entry (a UsageError names the flag and what it accepts). */
export function optionsFromFlags<S extends OptionSchema>(schema: S, values: Record<string, string | boolean | undefined>, help: string): Partial<OptionValues<S>> {
  const options: Record<string, unknown> = {};
  for (const key of optionKeys(schema)) {
    const spec = schema[key];
    const flag = flagOf(key, spec);
    const given = values[flag];
    if (given === undefined) continue;
    if (spec.type === 'boolean') {
      options[key] = flag.startsWith('no-') ? !given : !!given;
      continue;
    }
    const value = parseOptionText(spec, String(given));
    if (value === undefined) throw new UsageError(`--${flag} must be ${validText(spec)} (got "${given}")`, help);
    options[key] = value;
  }
  return options as Partial<OptionValues<S>>;
}

const FLAG_COLUMN = 29;
const HELP_WIDTH = 100;

/** The schema's lines of a command's help: flag, value, what it does, its range and default, wrapped. */
export function flagsHelp(schema: Readonly<Record<string, OptionSpec & { help: string }>>): string {
  return optionKeys(schema)
    .map((key) => {
      const spec = schema[key];
      const flag = flagOf(key, spec);
      const value = spec.type === 'boolean' ? '' : spec.type === 'string' ? ` ${spec.enum.join('|')}` : spec.type === 'integer' ? ' N' : ' F';
      const range = spec.type === 'integer' || spec.type === 'number' ? rangeText(spec) : '';
      const words = flag.startsWith('no-') ? `turn off ${spec.help}`.split(' ') : [...spec.help.split(' '), `(${range ? `${range}; ` : ''}default: ${spec.default})`];
      return wrap(`  --${flag}${value}`, words);
    })
    .join('\n');
}

/** The flag, then the words from FLAG_COLUMN on, wrapped at HELP_WIDTH (a "word" may hold spaces: the range and default stay together). */
function wrap(head: string, words: string[]): string {
  const lines = [head.length < FLAG_COLUMN - 1 ? head.padEnd(FLAG_COLUMN - 1) : `${head} `];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last.length + 1 + word.length > HELP_WIDTH && last.length > FLAG_COLUMN) lines.push(`${' '.repeat(FLAG_COLUMN)}${word}`);
    else lines[lines.length - 1] = `${last} ${word}`;
  }
  return lines.join('\n');
}
