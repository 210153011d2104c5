// Values for exercising an option schema (src/shared/options.ts) from its own entries: one the
// option accepts other than its default, and the values just outside what it accepts.
import type { OptionSpec } from '../../src/shared/options';
import { isValidOption } from '../../src/shared/options';

/** A value the option accepts that is not its default (its maximum, minimum, another enum value, the other boolean). */
export function otherValidValue(spec: OptionSpec): string | number | boolean {
  if (spec.type === 'boolean') return !spec.default;
  if (spec.type === 'string') return spec.enum.find((v) => v !== spec.default)!;
  const candidates = [spec.maximum, spec.minimum, spec.default + 1, spec.default / 2].filter((v): v is number => v !== undefined);
  const value = candidates.find((v) => v !== spec.default && isValidOption(spec, v));
  if (value === undefined) throw new Error(`no other valid value for ${spec.label}`);
  return value;
}

/** Values just outside what the option accepts: past each bound, a fraction for a whole number, a stranger for an enum, a word for a boolean. */
export function invalidValues(spec: OptionSpec): unknown[] {
  if (spec.type === 'boolean') return ['yes', 1];
  if (spec.type === 'string') return ['no-such-value', spec.default.toUpperCase(), 3];
  const values: unknown[] = [NaN, Infinity, String(spec.default)];
  if (spec.maximum !== undefined) values.push(spec.maximum + (spec.type === 'integer' ? 1 : spec.maximum * 1e-6 || 1e-9));
  if (spec.minimum !== undefined) values.push(spec.minimum - (spec.type === 'integer' ? 1 : 1e-9));
  if (spec.exclusiveMaximum !== undefined) values.push(spec.exclusiveMaximum);
  if (spec.exclusiveMinimum !== undefined) values.push(spec.exclusiveMinimum);
  if (spec.type === 'integer') values.push(spec.default + 0.5);
  return values;
}
