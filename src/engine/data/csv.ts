// Streaming reader for Kaggle's Digit Recognizer CSVs (train: `label,pixel0..pixel783`,
// test: `pixel0..pixel783`). Papaparse splits the text; the integers are converted here by hand,
// straight into growable byte arrays, so the 77 MB train.csv is never held as one string.
import * as fs from 'fs';
import * as path from 'path';
import Papa from 'papaparse';
import { CancelledError, InputError } from '../core/errors';
import { type CsvFormat, type DigitCsv, PIXELS } from '../core/types';

export interface CsvProgress {
  /** Data rows parsed so far. */
  rows: number;
  /** Bytes read from the file so far. */
  bytes: number;
  /** Size of the file in bytes. */
  totalBytes: number;
}

export interface ReadCsvOptions {
  /** The format the caller needs; a file in the other format is an InputError. Default 'any'. */
  expect?: CsvFormat | 'any';
  /** Stop after this many data rows (rows after it are neither read nor checked). */
  limit?: number;
  /** Cancels the read: the promise rejects with CancelledError and the file is closed. */
  signal?: AbortSignal;
  /** Called every ~1,000 rows or 100 ms while reading, and once at the end. */
  onProgress?: (p: CsvProgress) => void;
}

/**
 * How papaparse hands rows over, `step` (one callback per row) or `chunk` (an array of rows per
 * read buffer), and the read buffer size. Both modes cost the same CPU on train.csv; `step` with
 * 64 KB buffers keeps the least garbage alive (see bench/CSV.md). Exposed for bench/csv.ts.
 * @internal
 */
export const csvTuning = { mode: 'step' as 'chunk' | 'step', highWaterMark: 64 * 1024 };

const PROGRESS_ROWS = 1000;
const PROGRESS_MS = 100;
/** The longest line accepted: a valid row is at most ~3 KB, the header ~7 KB. */
const MAX_LINE_CHARS = 1 << 20;
const INITIAL_ROWS = 256;

const TRAIN_HEADER: readonly string[] = ['label', ...Array.from({ length: PIXELS }, (_, i) => `pixel${i}`)];
const TEST_HEADER: readonly string[] = TRAIN_HEADER.slice(1);

function describeFormat(format: CsvFormat): string {
  return format === 'train'
    ? `train format (label,pixel0,…,pixel783: ${PIXELS + 1} columns)`
    : `test format (pixel0,…,pixel783: ${PIXELS} columns)`;
}

function clip(s: string, max = 40): string {
  const shown = s.length > max ? `${s.slice(0, max)}…` : s;
  return `'${shown.replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/**
 * The value of a field holding a non-negative decimal integer, or -1. Values above 255 come back
 * as some number > 255 (not necessarily exact), which is all the range checks need.
 */
function parseUint(s: string): number {
  const n = s.length;
  if (n === 0) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    if (v < 1e6) v = v * 10 + d;
  }
  return v;
}

/**
 * Reads a Digit Recognizer CSV into compact byte arrays, streaming it from disk.
 * Rejects with InputError (naming the file, line and column) on any malformed content, and with
 * CancelledError when `options.signal` aborts.
 */
export async function readDigitCsv(file: string, options: ReadCsvOptions = {}): Promise<DigitCsv> {
  const expect = options.expect ?? 'any';
  const limit = options.limit ?? Infinity;
  if (!(limit >= 0)) throw new RangeError(`limit must be >= 0, got ${options.limit}`);
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new CancelledError();

  const name = path.basename(file);
  let totalBytes: number;
  try {
    const stat = await fs.promises.stat(file);
    if (stat.isDirectory()) throw new InputError(`${file} is a folder, not a CSV file`, file);
    totalBytes = stat.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : (err as Error).message;
    throw new InputError(`Cannot read ${file}: ${why}`, file);
  }
  if (signal?.aborted) throw new CancelledError();

  return new Promise<DigitCsv>((resolve, reject) => {
    const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: csvTuning.highWaterMark });
    let handle: Papa.Parser | undefined;
    let settled = false;

    // Parse state.
    let format: CsvFormat | undefined;
    let header: readonly string[] = TRAIN_HEADER;
    let fields = 0; // fields per row: 785 (train) or 784 (test)
    let lineNo = 0; // 1-based number of the last line handed to onRow
    let count = 0;
    let capacity = 0;
    let maxRows = 0;
    let pixels = new Uint8Array(0);
    let labels: Uint8Array | null = null;
    /** First blank line after the header: an error if any row follows it. */
    let blankLine = 0;
    /** A row with too few fields: an error, reported as truncation if it turns out to be the last. */
    let shortRow: { line: number; found: number } | undefined;

    // Progress state.
    let lastProgressRows = 0;
    let lastProgressTime = Date.now();

    // Long-line guard (see MAX_LINE_CHARS): counts newlines as text arrives.
    let linesSeen = 0;
    let lineChars = 0;
    let charsSeen = 0;

    const fail = (message: string, line?: number, column?: number): never => {
      throw new InputError(message, file, line, column);
    };
    const at = (line: number, column?: number) =>
      column === undefined
        ? `${name} line ${line}`
        : `${name} line ${line}, column ${clip(header[column - 1] ?? `#${column}`)} (column ${column})`;

    const cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      stream.destroy();
      if (handle) {
        const h = handle;
        handle = undefined;
        h.abort(); // calls `complete`, which returns at once as the promise is settled
      }
    };
    const finish = (err: unknown, value?: DigitCsv) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = () => finish(new CancelledError());
    signal?.addEventListener('abort', onAbort);

    const onData = (chunk: string | Buffer) => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      charsSeen += text.length;
      let last = -1;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
        linesSeen++;
        last = i;
      }
      lineChars = last === -1 ? lineChars + text.length : text.length - last - 1;
      if (lineChars > MAX_LINE_CHARS && !settled) {
        const cr = text.includes('\r') ? ' (its lines may end in a bare CR, which is not supported)' : '';
        finish(
          new InputError(
            `${name} line ${linesSeen + 1} is over ${MAX_LINE_CHARS / (1 << 20)} MB long: this is not a ` +
              `Digit Recognizer CSV${cr}`,
            file,
            linesSeen + 1,
          ),
        );
      }
    };

    const reportProgress = (force: boolean) => {
      if (!onProgress) return;
      const now = Date.now();
      if (!force && count - lastProgressRows < PROGRESS_ROWS && now - lastProgressTime < PROGRESS_MS) return;
      lastProgressRows = count;
      lastProgressTime = now;
      onProgress({ rows: count, bytes: Math.min(stream.bytesRead, totalBytes), totalBytes });
    };

    const reserve = (rows: number) => {
      if (rows <= capacity) return;
      const grown = new Uint8Array(rows * PIXELS);
      grown.set(pixels.subarray(0, count * PIXELS));
      pixels = grown;
      if (labels) {
        const l = new Uint8Array(rows);
        l.set(labels.subarray(0, count));
        labels = l;
      }
      capacity = rows;
    };

    const readHeader = (row: string[]) => {
      const first = row[0];
      if (parseUint(first) >= 0 || /^\s*[+-]?\d/.test(first)) {
        fail(
          `${name} has no header: line 1 starts with the number ${clip(first)}, expected the column names ` +
            `'label,pixel0,…,pixel783' (train) or 'pixel0,…,pixel783' (test)`,
          1,
        );
      }
      const text = row.join(',');
      // Control characters are what the check looks for: binary data, not text.
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
        const zip = text.startsWith('PK\u0003\u0004') ? ': it looks like a zip archive, extract the CSV from it first' : '';
        fail(`${name} is not a UTF-8 text CSV file (line 1 holds binary data)${zip}`, 1);
      }
      const cr = row.findIndex((f, i) => f.includes('\r') && !(i === row.length - 1 && f.indexOf('\r') === f.length - 1));
      if (cr !== -1) fail(`${name} line 1 contains a bare CR: lines must end in LF or CRLF`, 1, cr + 1);
      const unquoted = row.map((f) => (f.length >= 2 && f[0] === '"' && f[f.length - 1] === '"' ? f.slice(1, -1) : f));
      const isTrain = unquoted[0] === 'label' || (unquoted[0] !== 'pixel0' && row.length === PIXELS + 1);
      format = isTrain ? 'train' : 'test';
      header = isTrain ? TRAIN_HEADER : TEST_HEADER;
      fields = header.length;
      const n = Math.min(unquoted.length, fields);
      for (let i = 0; i < n; i++) {
        if (unquoted[i] !== header[i]) {
          const hint = i === 0 ? `; a ${describeFormat('train')} or ${describeFormat('test')} file was expected` : '';
          fail(
            `${name} line 1 (header), column ${i + 1}: unexpected column name ${clip(unquoted[i])}, ` +
              `expected '${header[i]}'${hint}`,
            1,
            i + 1,
          );
        }
      }
      if (unquoted.length !== fields) {
        const what =
          unquoted.length < fields
            ? `ends after '${header[unquoted.length - 1]}'`
            : `has an extra column ${clip(unquoted[fields])} after '${header[fields - 1]}'`;
        fail(
          `${name} line 1 (header) ${what}: expected ${fields} columns for the ${describeFormat(format)}, ` +
            `found ${unquoted.length}`,
          1,
          unquoted.length < fields ? undefined : fields + 1,
        );
      }
      if (expect !== 'any' && expect !== format) {
        fail(
          format === 'test'
            ? `${file} is in test format (no label column), expected a labelled train-format file`
            : `${file} is in train format (it has a label column), expected an unlabelled test-format file`,
          1,
        );
      }
      if (format === 'train') labels = new Uint8Array(0);
      // Every valid row takes at least 2 bytes per field (a digit and a comma or newline), which
      // bounds the row count; the average line length read so far gives a closer estimate.
      maxRows = Math.floor(totalBytes / (2 * fields)) + 1;
      const headerChars = text.length + 1;
      const dataLines = linesSeen - 1;
      const estimate =
        dataLines > 0 ? Math.ceil(((totalBytes - headerChars) / ((charsSeen - headerChars) / dataLines)) * 1.02) + 16 : 0;
      reserve(Math.min(maxRows, limit, Math.max(INITIAL_ROWS, estimate)));
    };

    /** Explains why field `col` (0-based) of `line` is not a valid value. */
    const badValue = (raw: string, line: number, col: number): never => {
      const isLabel = format === 'train' && col === 0;
      const range = isLabel ? 'a digit label 0–9' : 'an integer 0–255';
      const s = raw.length >= 2 && raw[0] === '"' && raw[raw.length - 1] === '"' ? raw.slice(1, -1) : raw;
      let why: string;
      if (s === '') why = `is empty, expected ${range}`;
      else if (/^\s*[+-]?\d+\s*$/.test(s) && s.trim() === s) why = `${s} is out of range, expected ${range}`;
      else why = `${clip(raw)} is not ${range}`;
      return fail(`${at(line, col + 1)}: ${why}`, line, col + 1);
    };

    /** Converts one quoted-or-odd field, or reports it. */
    const slowValue = (raw: string, line: number, col: number, max: number): number => {
      const quoted = raw.length >= 2 && raw[0] === '"' && raw[raw.length - 1] === '"';
      const v = parseUint(quoted ? raw.slice(1, -1) : raw);
      if (v >= 0 && v <= max) return v;
      return badValue(raw, line, col);
    };

    /** Handles one parsed line; returns false when reading should stop (limit reached). */
    const onRow = (row: string[]): boolean => {
      const line = ++lineNo;
      const lastIndex = row.length - 1;
      const lastField = row[lastIndex];
      if (lastField.length > 0 && lastField.charCodeAt(lastField.length - 1) === 13) {
        row[lastIndex] = lastField.slice(0, -1); // CRLF
      }
      const blank = row.length === 1 && row[0].trim() === '';
      if (format === undefined) {
        if (blank) {
          blankLine ||= line;
          return true;
        }
        if (blankLine) fail(`${name} line ${blankLine} is blank; expected the CSV header`, blankLine);
        readHeader(row);
        return count < limit;
      }
      if (blank) {
        blankLine ||= line;
        return true;
      }
      if (shortRow) {
        fail(`${name} line ${shortRow.line}: expected ${fields} fields, found ${shortRow.found}`, shortRow.line);
      }
      if (blankLine) {
        fail(`${name} line ${blankLine} is blank: expected ${fields} fields (blank lines are only allowed at the end)`, blankLine);
      }
      if (row.length !== fields) {
        if (row.length > fields) fail(`${name} line ${line}: expected ${fields} fields, found ${row.length}`, line);
        shortRow = { line, found: row.length };
        return true;
      }
      if (count === capacity) reserve(Math.max(count + 1, Math.min(capacity * 2, maxRows, limit)));
      let col = 0;
      let base = count * PIXELS;
      if (labels) {
        const s = row[0];
        let v = s.length === 1 ? s.charCodeAt(0) - 48 : -1;
        if (v < 0 || v > 9) v = slowValue(s, line, 0, 9);
        labels[count] = v;
        col = 1;
        base -= 1;
      }
      const px = pixels;
      for (; col < fields; col++) {
        const s = row[col];
        const n = s.length;
        let v: number;
        if (n === 1) {
          v = s.charCodeAt(0) - 48;
          if (v < 0 || v > 9) v = slowValue(s, line, col, 255);
        } else if (n === 2) {
          const a = s.charCodeAt(0) - 48;
          const b = s.charCodeAt(1) - 48;
          v = a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : slowValue(s, line, col, 255);
        } else {
          v = parseUint(s);
          if (v < 0 || v > 255) v = slowValue(s, line, col, 255);
        }
        px[base + col] = v;
      }
      count++;
      return count < limit;
    };

    const complete = () => {
      if (settled) return;
      try {
        if (format === undefined) fail(`${name} is empty: expected a CSV header and rows of digits`);
        if (shortRow && count < limit) {
          fail(
            `${name} line ${shortRow.line}: the file ends in the middle of a row (expected ${fields} fields, ` +
              `found ${shortRow.found}); it looks truncated`,
            shortRow.line,
          );
        }
        if (count === 0 && limit > 0) fail(`${name} has a header but no data rows`, 2);
        // Exact-size copies: the arrays own their whole buffers and no capacity is wasted.
        const trimmedPixels = capacity === count ? pixels : pixels.slice(0, count * PIXELS);
        const trimmedLabels = labels && (capacity === count ? labels : labels.slice(0, count));
        const result: DigitCsv = { file, format: format!, count, pixels: trimmedPixels, labels: trimmedLabels };
        reportProgress(true);
        finish(undefined, result);
      } catch (err) {
        finish(err);
      }
    };

    const onRows = (rows: string[][], parser: Papa.Parser) => {
      if (settled) return parser.abort();
      handle ??= parser;
      try {
        if (signal?.aborted) throw new CancelledError();
        for (let i = 0; i < rows.length; i++) {
          if (!onRow(rows[i])) {
            complete();
            return;
          }
        }
        reportProgress(false);
      } catch (err) {
        finish(err);
      }
    };

    stream.on('data', onData);
    stream.on('error', (err: NodeJS.ErrnoException) =>
      finish(new InputError(`Cannot read ${file}: ${err.message}`, file)),
    );

    const config: Papa.ParseLocalConfig<string[], NodeJS.ReadableStream> = {
      delimiter: ',',
      newline: '\n',
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      fastMode: true,
      beforeFirstChunk: (chunk: string) => (chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : undefined),
      complete,
    };
    if (csvTuning.mode === 'step') {
      config.step = (results, parser) => onRows([results.data], parser);
    } else {
      config.chunk = (results, parser) => onRows(results.data, parser);
    }
    Papa.parse(stream, config);
  });
}

/**
 * Cheap check used by file pickers: reads only the header line (up to 16 KB) and says whether it
 * is a train- or test-format header. Undefined for anything else, including unreadable files.
 */
export async function sniffCsvFormat(file: string): Promise<CsvFormat | undefined> {
  let fd: fs.promises.FileHandle | undefined;
  try {
    fd = await fs.promises.open(file, 'r');
    const buf = Buffer.alloc(16 * 1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    let text = buf.toString('utf8', 0, bytesRead);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const end = text.indexOf('\n');
    if (end === -1 && bytesRead === buf.length) return undefined;
    let line = end === -1 ? text : text.slice(0, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const names = line.split(',').map((f) => (f.length >= 2 && f[0] === '"' && f[f.length - 1] === '"' ? f.slice(1, -1) : f));
    const matches = (h: readonly string[]) => names.length === h.length && names.every((f, i) => f === h[i]);
    if (matches(TRAIN_HEADER)) return 'train';
    if (matches(TEST_HEADER)) return 'test';
    return undefined;
  } catch {
    return undefined;
  } finally {
    await fd?.close();
  }
}
