// Declarative option schemas: each option's type, default, valid range and words in one entry,
// from which its value type, its defaults, its check, its parsing from text and its display are
// derived (src/shared/training.ts holds the schemas of training and fine-tuning). The range
// keywords are JSON Schema's, as VS Code's `contributes.configuration` spells them, so a setting's
// manifest entry is the option's own (manifestEntry; test/unit/trainingOptions.test.ts compares).
// Pure: no DOM, no vscode, no engine.

interface OptionWords {
  /** Sentence-case name shown beside the value ("Label smoothing"); lower-cased in messages. */
  label: string;
  /** What it does, in a sentence or more (the Settings editor's description). */
  description: string;
}

export interface NumberOption extends OptionWords {
  type: 'integer' | 'number';
  default: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  /** A fraction, shown as a percentage. */
  percent?: boolean;
  /** What 0 means, shown instead of it ("off", "one per core"). */
  zero?: string;
}

export interface BooleanOption extends OptionWords {
  type: 'boolean';
  default: boolean;
}

export interface EnumOption extends OptionWords {
  type: 'string';
  enum: readonly string[];
  /** One per value, in the same order. */
  enumDescriptions?: readonly string[];
  default: string;
}

export type OptionSpec = NumberOption | BooleanOption | EnumOption;
export type OptionSchema = Readonly<Record<string, OptionSpec>>;

/** The value an option holds: its enum's values, a boolean or a number. */
export type OptionValue<S extends OptionSpec> = S extends { enum: readonly (infer V)[] } ? V : S extends { type: 'boolean' } ? boolean : number;
/** The settings object a schema describes (homomorphic: each key keeps its schema entry's doc comment). */
export type OptionValues<Schema extends OptionSchema> = { -readonly [K in keyof Schema]: OptionValue<Schema[K]> };

export function optionKeys<Schema extends OptionSchema>(schema: Schema): Array<keyof Schema & string> {
  return Object.keys(schema);
}

export function defaultsOf<Schema extends OptionSchema>(schema: Schema): OptionValues<Schema> {
  return Object.fromEntries(Object.entries(schema).map(([key, spec]) => [key, spec.default])) as OptionValues<Schema>;
}

/** The numbers an option accepts, in words: "from 1 to 200", "from 0 to below 1", "above 0" ('' for any). */
export function rangeText(spec: NumberOption): string {
  const { minimum: min, exclusiveMinimum: above, maximum: max, exclusiveMaximum: below } = spec;
  const high = max !== undefined ? `${max}` : below !== undefined ? `below ${below}` : undefined;
  if (min !== undefined) return high ? `from ${min} to ${high}` : `≥ ${min}`;
  if (above !== undefined) return high ? `above ${above}, ${max !== undefined ? 'at most ' : ''}${high}` : `above ${above}`;
  return max !== undefined ? `≤ ${max}` : below !== undefined ? `below ${below}` : '';
}

/** What an option accepts, in words: "a whole number from 1 to 200", "default or seed", "true or false". */
export function validText(spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'true or false';
    case 'string':
      return orList(spec.enum);
    default: {
      const range = rangeText(spec);
      return `${spec.type === 'integer' ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}`;
    }
  }
}

function orList(values: readonly string[]): string {
  return values.length < 3 ? values.join(' or ') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** True when `value` is one `spec` accepts. */
export function isValidOption(spec: OptionSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && spec.enum.includes(value);
    default:
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (spec.type === 'number' || Number.isInteger(value)) &&
        (spec.minimum === undefined || value >= spec.minimum) &&
        (spec.maximum === undefined || value <= spec.maximum) &&
        (spec.exclusiveMinimum === undefined || value > spec.exclusiveMinimum) &&
        (spec.exclusiveMaximum === undefined || value < spec.exclusiveMaximum)
      );
  }
}

/** The first option of `values` its schema refuses, and why in words ("label smoothing must be … (got 0.7)"). */
export function firstInvalidOption<Schema extends OptionSchema>(schema: Schema, values: Readonly<Record<string, unknown>>): { key: keyof Schema & string; problem: string } | undefined {
  for (const key of optionKeys(schema)) {
    const spec = schema[key];
    const value = values[key];
    if (!isValidOption(spec, value)) return { key, problem: `${spec.label.toLowerCase()} must be ${validText(spec)} (got ${typeof value === 'string' ? JSON.stringify(value) : String(value)})` };
  }
  return undefined;
}

/** An option's value from text (a command-line argument, an input box), or undefined when it is not one it accepts. */
export function parseOptionText(spec: OptionSpec, text: string): string | number | boolean | undefined {
  const trimmed = text.trim();
  const value = spec.type === 'string' ? trimmed : spec.type === 'boolean' ? ({ true: true, false: false } as Record<string, boolean>)[trimmed] : trimmed === '' ? NaN : Number(trimmed);
  return isValidOption(spec, value) ? value : undefined;
}

/** An option's value for people: "on", "10%", "off", "0.006". */
export function formatOption(spec: OptionSpec, value: unknown): string {
  if (spec.type === 'boolean') return value ? 'on' : 'off';
  if (typeof value !== 'number' || spec.type === 'string') return String(value);
  if (value === 0 && spec.zero) return spec.zero;
  return spec.percent ? `${Math.round(value * 1000) / 10}%` : String(value);
}

/** The option as a `contributes.configuration` property of package.json (JSON Schema with VS Code's enumDescriptions). */
export function manifestEntry(spec: OptionSpec): Record<string, unknown> {
  const entry: Record<string, unknown> = { type: spec.type };
  if (spec.type === 'string') {
    entry.enum = [...spec.enum];
    if (spec.enumDescriptions) entry.enumDescriptions = [...spec.enumDescriptions];
  }
  if (spec.type === 'integer' || spec.type === 'number') {
    for (const key of ['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum'] as const) if (spec[key] !== undefined) entry[key] = spec[key];
  }
  entry.default = spec.default;
  entry.description = spec.description;
  return entry;
}
