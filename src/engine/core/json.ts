// JSON files the user gives us (model.json, pixel lists): parsed strictly by JSON.parse, and when
// that fails, located with jsonc-parser (VS Code's own JSON scanner) so the message says the line,
// the column and what was expected, never the file's raw bytes.
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { InputError } from './errors';

/** The parsed value of `text`, or an InputError naming `label`, the line and column, and what was wrong. */
export function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${label}: ${whyNotJson(text)}`, label);
  }
}

function whyNotJson(text: string): string {
  if (looksBinary(text)) return 'not a JSON file (it holds binary data)';
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return 'not valid JSON';
  const { line, column } = lineAndColumn(text, first.offset);
  return `not valid JSON (line ${line}, column ${column}: ${words(printParseErrorCode(first.error))})`;
}

/** "PropertyNameExpected" → "property name expected". */
function words(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** NUL bytes or replacement characters in the first KB: a picture, an archive, not text. */
function looksBinary(text: string): boolean {
  const head = text.slice(0, 1024);
  return head.includes('\u0000') || head.includes('\ufffd');
}

/** A JSON value for a message: numbers as written (Infinity for 1e400, which JSON.stringify would call null). */
export function describeJsonValue(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `a number too large to represent (${v})`;
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
