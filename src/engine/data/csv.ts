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
 * The rows of one CSV, checked and converted as papaparse hands them over: the header first
 * (format, expected columns), then each data row into growable byte arrays. Throws InputError
 * naming the file, line and column of the first bad value.
 */
class DigitRows {
  format: CsvFormat | undefined;
  count = 0;
  private header: readonly string[] = TRAIN_HEADER;
  /** Fields per row: 785 (train) or 784 (test). */
  private fields = 0;
  /** 1-based number of the last line handed to `row`. */
  private lineNo = 0;
  private capacity = 0;
  private maxRows = 0;
  private pixels = new Uint8Array(0);
  private labels: Uint8Array | null = null;
  /** First blank line after the header: an error if any row follows it. */
  private blankLine = 0;
  /** A row with too few fields: an error, reported as truncation if it turns out to be the last. */
  private shortRow: { line: number; found: number } | undefined;

  constructor(
    private readonly file: string,
    private readonly expect: CsvFormat | 'any',
    private readonly limit: number,
    private readonly totalBytes: number,
  ) {}

  private get name(): string {
    return path.basename(this.file);
  }

  private fail(message: string, line?: number, column?: number): never {
    throw new InputError(message, this.file, line, column);
  }

  private at(line: number, column?: number): string {
    return column === undefined ? `${this.name} line ${line}` : `${this.name} line ${line}, column ${clip(this.header[column - 1] ?? `#${column}`)} (column ${column})`;
  }

  /** Handles one parsed line; returns false when reading should stop (the limit is reached). `seen` says how much text has arrived, to size the arrays. */
  row(row: string[], seen: { lines: number; chars: number }): boolean {
    const line = ++this.lineNo;
    const lastIndex = row.length - 1;
    const lastField = row[lastIndex];
    if (lastField.length > 0 && lastField.charCodeAt(lastField.length - 1) === 13) row[lastIndex] = lastField.slice(0, -1); // CRLF
    const blank = row.length === 1 && row[0].trim() === '';
    if (blank) {
      this.blankLine ||= line;
      return true;
    }
    if (this.format === undefined) {
      if (this.blankLine) this.fail(`${this.name} line ${this.blankLine} is blank; expected the CSV header`, this.blankLine);
      this.readHeader(row, seen);
      return this.count < this.limit;
    }
    if (this.shortRow) this.fail(`${this.name} line ${this.shortRow.line}: expected ${this.fields} fields, found ${this.shortRow.found}`, this.shortRow.line);
    if (this.blankLine) this.fail(`${this.name} line ${this.blankLine} is blank: expected ${this.fields} fields (blank lines are only allowed at the end)`, this.blankLine);
    if (row.length !== this.fields) {
      if (row.length > this.fields) this.fail(`${this.name} line ${line}: expected ${this.fields} fields, found ${row.length}`, line);
      this.shortRow = { line, found: row.length };
      return true;
    }
    this.dataRow(row, line);
    return this.count < this.limit;
  }

  /** The rows read, in exact-size arrays; checks the file did not end in the middle of a row. */
  result(): DigitCsv {
    if (this.format === undefined) this.fail(`${this.name} is empty: expected a CSV header and rows of digits`);
    if (this.shortRow && this.count < this.limit) {
      this.fail(`${this.name} line ${this.shortRow.line}: the file ends in the middle of a row (expected ${this.fields} fields, found ${this.shortRow.found}); it looks truncated`, this.shortRow.line);
    }
    if (this.count === 0 && this.limit > 0) this.fail(`${this.name} has a header but no data rows`, 2);
    // Exact-size copies: the arrays own their whole buffers and no capacity is wasted.
    const exact = this.capacity === this.count;
    const pixels = exact ? this.pixels : this.pixels.slice(0, this.count * PIXELS);
    const labels = this.labels && (exact ? this.labels : this.labels.slice(0, this.count));
    return { file: this.file, format: this.format!, count: this.count, pixels, labels };
  }

  private readHeader(row: string[], seen: { lines: number; chars: number }): void {
    const first = row[0];
    if (parseUint(first) >= 0 || /^\s*[+-]?\d/.test(first)) {
      this.fail(`${this.name} has no header: line 1 starts with the number ${clip(first)}, expected the column names 'label,pixel0,…,pixel783' (train) or 'pixel0,…,pixel783' (test)`, 1);
    }
    const text = row.join(',');
    // Control characters are what the check looks for: binary data, not text.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
      const zip = text.startsWith('PK\u0003\u0004') ? ': it looks like a zip archive, extract the CSV from it first' : '';
      this.fail(`${this.name} is not a UTF-8 text CSV file (line 1 holds binary data)${zip}`, 1);
    }
    const cr = row.findIndex((f, i) => f.includes('\r') && !(i === row.length - 1 && f.indexOf('\r') === f.length - 1));
    if (cr !== -1) this.fail(`${this.name} line 1 contains a bare CR: lines must end in LF or CRLF`, 1, cr + 1);
    const names = row.map(unquote);
    const isTrain = names[0] === 'label' || (names[0] !== 'pixel0' && row.length === PIXELS + 1);
    const format: CsvFormat = isTrain ? 'train' : 'test';
    this.format = format;
    this.header = isTrain ? TRAIN_HEADER : TEST_HEADER;
    this.fields = this.header.length;
    this.checkColumnNames(names, format);
    if (this.expect !== 'any' && this.expect !== format) {
      this.fail(
        format === 'test'
          ? `${this.file} is in test format (no label column), expected a labelled train-format file`
          : `${this.file} is in train format (it has a label column), expected an unlabelled test-format file`,
        1,
      );
    }
    if (format === 'train') this.labels = new Uint8Array(0);
    this.reserveInitial(text.length + 1, seen);
  }

  private checkColumnNames(names: string[], format: CsvFormat): void {
    const { header, fields } = this;
    const n = Math.min(names.length, fields);
    for (let i = 0; i < n; i++) {
      if (names[i] !== header[i]) {
        const hint = i === 0 ? `; a ${describeFormat('train')} or ${describeFormat('test')} file was expected` : '';
        this.fail(`${this.name} line 1 (header), column ${i + 1}: unexpected column name ${clip(names[i])}, expected '${header[i]}'${hint}`, 1, i + 1);
      }
    }
    if (names.length !== fields) {
      const what = names.length < fields ? `ends after '${header[names.length - 1]}'` : `has an extra column ${clip(names[fields])} after '${header[fields - 1]}'`;
      this.fail(`${this.name} line 1 (header) ${what}: expected ${fields} columns for the ${describeFormat(format)}, found ${names.length}`, 1, names.length < fields ? undefined : fields + 1);
    }
  }

  /**
   * Every valid row takes at least 2 bytes per field (a digit and a comma or newline), which
   * bounds the row count; the average line length read so far gives a closer estimate.
   */
  private reserveInitial(headerChars: number, seen: { lines: number; chars: number }): void {
    this.maxRows = Math.floor(this.totalBytes / (2 * this.fields)) + 1;
    const dataLines = seen.lines - 1;
    const estimate = dataLines > 0 ? Math.ceil(((this.totalBytes - headerChars) / ((seen.chars - headerChars) / dataLines)) * 1.02) + 16 : 0;
    this.reserve(Math.min(this.maxRows, this.limit, Math.max(INITIAL_ROWS, estimate)));
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const grown = new Uint8Array(rows * PIXELS);
    grown.set(this.pixels.subarray(0, this.count * PIXELS));
    this.pixels = grown;
    if (this.labels) {
      const l = new Uint8Array(rows);
      l.set(this.labels.subarray(0, this.count));
      this.labels = l;
    }
    this.capacity = rows;
  }

  /** Converts one data row (the hot path: 42,000 × 785 fields for train.csv). */
  private dataRow(row: string[], line: number): void {
    const { count, fields } = this;
    if (count === this.capacity) this.reserve(Math.max(count + 1, Math.min(this.capacity * 2, this.maxRows, this.limit)));
    let col = 0;
    let base = count * PIXELS;
    if (this.labels) {
      const s = row[0];
      let v = s.length === 1 ? s.charCodeAt(0) - 48 : -1;
      if (v < 0 || v > 9) v = this.slowValue(s, line, 0, 9);
      this.labels[count] = v;
      col = 1;
      base -= 1;
    }
    const px = this.pixels;
    for (; col < fields; col++) {
      const s = row[col];
      const n = s.length;
      let v: number;
      if (n === 1) {
        v = s.charCodeAt(0) - 48;
        if (v < 0 || v > 9) v = this.slowValue(s, line, col, 255);
      } else if (n === 2) {
        const a = s.charCodeAt(0) - 48;
        const b = s.charCodeAt(1) - 48;
        v = a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : this.slowValue(s, line, col, 255);
      } else {
        v = parseUint(s);
        if (v < 0 || v > 255) v = this.slowValue(s, line, col, 255);
      }
      px[base + col] = v;
    }
    this.count = count + 1;
  }

  /** Converts one quoted or odd field, or reports it. */
  private slowValue(raw: string, line: number, col: number, max: number): number {
    const v = parseUint(unquote(raw));
    if (v >= 0 && v <= max) return v;
    return this.badValue(raw, line, col);
  }

  /** Explains why field `col` (0-based) of `line` is not a valid value. */
  private badValue(raw: string, line: number, col: number): never {
    const range = this.format === 'train' && col === 0 ? 'a digit label 0–9' : 'an integer 0–255';
    const s = unquote(raw);
    let why: string;
    if (s === '') why = `is empty, expected ${range}`;
    else if (/^\s*[+-]?\d+\s*$/.test(s) && s.trim() === s) why = `${s} is out of range, expected ${range}`;
    else why = `${clip(raw)} is not ${range}`;
    return this.fail(`${this.at(line, col + 1)}: ${why}`, line, col + 1);
  }
}

function unquote(f: string): string {
  return f.length >= 2 && f[0] === '"' && f[f.length - 1] === '"' ? f.slice(1, -1) : f;
}

/** Counts the lines of the text as it arrives and refuses a line longer than MAX_LINE_CHARS (a file that is not a CSV, or bare-CR line ends). */
class LineGuard {
  lines = 0;
  chars = 0;
  private lineChars = 0;

  /** Undefined, or the error for a line that is too long. */
  add(text: string, file: string): InputError | undefined {
    this.chars += text.length;
    let last = -1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      this.lines++;
      last = i;
    }
    this.lineChars = last === -1 ? this.lineChars + text.length : text.length - last - 1;
    if (this.lineChars <= MAX_LINE_CHARS) return undefined;
    const cr = text.includes('\r') ? ' (its lines may end in a bare CR, which is not supported)' : '';
    return new InputError(`${path.basename(file)} line ${this.lines + 1} is over ${MAX_LINE_CHARS / (1 << 20)} MB long: this is not a Digit Recognizer CSV${cr}`, file, this.lines + 1);
  }
}

/** The file's size, or an InputError saying why it cannot be read. */
async function csvFileSize(file: string): Promise<number> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    throw new InputError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`, file);
  }
  if (stat.isDirectory()) throw new InputError(`${file} is a folder, not a CSV file`, file);
  return stat.size;
}

/**
 * Reads a Digit Recognizer CSV into compact byte arrays, streaming it from disk.
 * Rejects with InputError (naming the file, line and column) on any malformed content, and with
 * CancelledError when `options.signal` aborts.
 */
export async function readDigitCsv(file: string, options: ReadCsvOptions = {}): Promise<DigitCsv> {
  const limit = options.limit ?? Infinity;
  if (!(limit >= 0)) throw new RangeError(`limit must be >= 0, got ${options.limit}`);
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new CancelledError();
  const totalBytes = await csvFileSize(file);
  if (signal?.aborted) throw new CancelledError();

  return new Promise<DigitCsv>((resolve, reject) => {
    const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: csvTuning.highWaterMark });
    const rows = new DigitRows(file, options.expect ?? 'any', limit, totalBytes);
    const guard = new LineGuard();
    let handle: Papa.Parser | undefined;
    let settled = false;
    let lastProgress = { rows: 0, time: Date.now() };

    const reportProgress = (force: boolean) => {
      if (!onProgress) return;
      const now = Date.now();
      if (!force && rows.count - lastProgress.rows < PROGRESS_ROWS && now - lastProgress.time < PROGRESS_MS) return;
      lastProgress = { rows: rows.count, time: now };
      onProgress({ rows: rows.count, bytes: Math.min(stream.bytesRead, totalBytes), totalBytes });
    };
    const finish = (err: unknown, value?: DigitCsv) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      stream.destroy();
      if (handle) {
        const h = handle;
        handle = undefined;
        h.abort(); // calls `complete`, which returns at once as the promise is settled
      }
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = () => finish(new CancelledError());
    const onData = (chunk: string | Buffer) => {
      const tooLong = guard.add(typeof chunk === 'string' ? chunk : chunk.toString('utf8'), file);
      if (tooLong) finish(tooLong);
    };
    const complete = () => {
      if (settled) return;
      try {
        const result = rows.result();
        reportProgress(true);
        finish(undefined, result);
      } catch (err) {
        finish(err);
      }
    };
    const onRows = (batch: string[][], parser: Papa.Parser) => {
      if (settled) return parser.abort();
      handle ??= parser;
      try {
        if (signal?.aborted) throw new CancelledError();
        for (let i = 0; i < batch.length; i++) {
          if (!rows.row(batch[i], guard)) return complete();
        }
        reportProgress(false);
      } catch (err) {
        finish(err);
      }
    };

    signal?.addEventListener('abort', onAbort);
    stream.on('data', onData);
    stream.on('error', (err: NodeJS.ErrnoException) => finish(new InputError(`Cannot read ${file}: ${err.message}`, file)));
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
    if (csvTuning.mode === 'step') config.step = (results, parser) => onRows([results.data], parser);
    else config.chunk = (results, parser) => onRows(results.data, parser);
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
    const names = line.split(',').map(unquote);
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

/**
 * About how many data rows a CSV holds, from its size and the lines in its first 256 KB (exact
 * when it is smaller): for time estimates before a run, without reading the whole file.
 */
export async function estimateCsvRows(file: string): Promise<number | undefined> {
  let fd: fs.promises.FileHandle | undefined;
  try {
    fd = await fs.promises.open(file, 'r');
    const { size } = await fd.stat();
    const buf = Buffer.alloc(Math.min(size, 256 * 1024));
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    let lines = 0;
    for (let i = buf.indexOf(10); i !== -1 && i < bytesRead; i = buf.indexOf(10, i + 1)) lines++;
    if (bytesRead >= size) return Math.max(0, lines - (buf[bytesRead - 1] === 10 ? 1 : 0));
    return lines > 1 ? Math.round((size / bytesRead) * lines) - 1 : undefined;
  } catch {
    return undefined;
  } finally {
    await fd?.close();
  }
}
