// Small validation helpers: the one style of every message validator (the pad's, the insight
// panels', the engine worker's). Pure: no DOM, no vscode. A checker returns the cleaned value or throws CheckError;
// `parse` turns that into the `{ ok, value | reason }` form the panels use.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export class CheckError extends Error {}

export function parse<T>(fn: () => T): Parsed<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof CheckError) return { ok: false, reason: err.message };
    throw err;
  }
}

/**
 * A validator for a protocol's messages: the `type` field picks the checker of that type (which
 * returns a fresh value holding only known fields); any other type is refused.
 */
export function messages<T extends { type: string }>(checkers: { [K in T['type']]: (m: Record<string, unknown>) => Extract<T, { type: K }> }): (x: unknown) => Parsed<T> {
  const types = Object.keys(checkers) as Array<T['type']>;
  return (x) =>
    parse((): T => {
      const m = record(x, 'message');
      const type = types.find((t) => t === m.type);
      return type === undefined ? bad('message type', m.type, types.join(' | ')) : checkers[type](m);
    });
}

export function bad(what: string, value: unknown, expected: string): never {
  throw new CheckError(`${what} is ${describe(value)}, expected ${expected}`);
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function record(x: unknown, what: string): Record<string, unknown> {
  return isRecord(x) ? x : bad(what, x, 'an object');
}

export function num(x: unknown, what: string, min = -Infinity, max = Infinity): number {
  return typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max ? x : bad(what, x, `a number in [${min}, ${max}]`);
}

export function optNum(x: unknown, what: string, min = -Infinity, max = Infinity): number | undefined {
  return x === undefined ? undefined : num(x, what, min, max);
}

export function int(x: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max ? x : bad(what, x, `an integer in [${min}, ${max}]`);
}

export function str(x: unknown, what: string, maxLength = 10_000): string {
  return typeof x === 'string' && x.length <= maxLength ? x : bad(what, x, `a string of at most ${maxLength} characters`);
}

export function optStr(x: unknown, what: string, maxLength = 10_000): string | undefined {
  return x === undefined ? undefined : str(x, what, maxLength);
}

export function bool(x: unknown, what: string): boolean {
  return typeof x === 'boolean' ? x : bad(what, x, 'a boolean');
}

export function oneOf<T extends string>(x: unknown, what: string, values: readonly T[]): T {
  return (values as readonly unknown[]).includes(x) ? (x as T) : bad(what, x, values.join(' | '));
}

export function array<T>(x: unknown, what: string, item: (v: unknown, what: string) => T, maxLength = 1_000_000, exactLength?: number): T[] {
  if (!Array.isArray(x)) return bad(what, x, 'an array');
  if (x.length > maxLength) return bad(what, x, `at most ${maxLength} items`);
  if (exactLength !== undefined && x.length !== exactLength) return bad(what, x, `${exactLength} items`);
  // Every index, holes too (map() would skip them and return a sparse array).
  return Array.from(x, (v, i) => item(v, `${what}[${i}]`));
}

// One character class and no nested repetition: linear time and constant stack at any length.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** True for padded base64 text (length a multiple of 4). */
export function isBase64(x: unknown): x is string {
  return typeof x === 'string' && x.length % 4 === 0 && BASE64.test(x);
}
/** The byte count padded base64 text decodes to. */
export function base64Bytes(s: string): number {
  return (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}
/** A base64 string whose decoded length is a multiple of `unit` bytes, at most `maxBytes` (exactly `exactBytes` when given). */
export function base64(x: unknown, what: string, unit: number, maxBytes: number, exactBytes?: number): string {
  if (!isBase64(x)) return bad(what, x, 'base64 text');
  const bytes = base64Bytes(x);
  if (bytes % unit !== 0 || bytes > maxBytes) return bad(what, `${bytes} bytes`, `a multiple of ${unit} bytes, at most ${maxBytes}`);
  if (exactBytes !== undefined && bytes !== exactBytes) return bad(what, `${bytes} bytes`, `${exactBytes} bytes`);
  return x;
}

/** A short, safe description of a bad value for log lines. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `array(${x.length})`;
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === 'object') return 'object';
  if (typeof x === 'function') return 'a function';
  return String(x);
}

/** `value` without its undefined fields (a validated message carries only what was sent). */
export function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
