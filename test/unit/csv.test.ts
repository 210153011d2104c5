import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readDigitCsv, sniffCsvFormat, type CsvProgress } from '../../src/engine/data/csv';
import { CancelledError, InputError } from '../../src/engine/core/errors';
import { PIXELS } from '../../src/engine/core/types';
import { requireData, slice, tempDir } from '../support/data';

// ---- helpers -------------------------------------------------------------------------------

const TRAIN_HEADER = ['label', ...Array.from({ length: PIXELS }, (_, i) => `pixel${i}`)].join(',');
const TEST_HEADER = Array.from({ length: PIXELS }, (_, i) => `pixel${i}`).join(',');

/** Deterministic synthetic pixel values for row `r`, covering 0–255 and 1–3 digit numbers. */
function pixelsOf(r: number): number[] {
  return Array.from({ length: PIXELS }, (_, i) => ((r * 31 + i * 7) % 11 === 0 ? (r * 13 + i * 17) % 256 : 0));
}
function trainLines(rows: number): string[] {
  return Array.from({ length: rows }, (_, r) => [r % 10, ...pixelsOf(r)].join(','));
}
function testLines(rows: number): string[] {
  return Array.from({ length: rows }, (_, r) => pixelsOf(r).join(','));
}

let dir: string;
let fileNo = 0;
function write(content: string | Buffer): string {
  const file = path.join(dir, `case-${++fileNo}.csv`);
  fs.writeFileSync(file, content);
  return file;
}
/** A train-format file: header + `rows` synthetic rows, `\n` line endings and a final newline. */
function trainFile(rows: number, edit?: (lines: string[]) => void, eol = '\n', finalEol = true): string {
  const lines = [TRAIN_HEADER, ...trainLines(rows)];
  edit?.(lines);
  return write(lines.join(eol) + (finalEol ? eol : ''));
}

/** Asserts `promise` rejects with an InputError for `file` at `line`/`column` whose message matches. */
async function rejectsInput(
  promise: Promise<unknown>,
  file: string,
  expected: { line?: number; column?: number; message: RegExp | string },
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected an InputError, got ${err}`);
    assert.equal(err.file, file);
    if (typeof expected.message === 'string') assert.ok(err.message.includes(expected.message), err.message);
    else assert.match(err.message, expected.message);
    assert.ok(err.message.includes(path.basename(file)), `message names the file: ${err.message}`);
    assert.equal(err.line, expected.line, `line in: ${err.message}`);
    assert.equal(err.column, expected.column, `column in: ${err.message}`);
    return true;
  });
}

/** How many descriptors this process has open on `file` (Linux /proc), or undefined elsewhere. */
function openDescriptors(file: string): number | undefined {
  if (!fs.existsSync('/proc/self/fd')) return undefined;
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}
/** Waits (up to 1 s) until `file` is no longer open; fails if it stays open. */
async function assertClosed(file: string): Promise<void> {
  for (let i = 0; i < 100 && openDescriptors(file); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(!openDescriptors(file), `${file} is still open`);
}

/** An independent, simple reader: split on newlines and commas. */
function simpleRead(file: string): { header: string[]; rows: number[][] } {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',').map(Number)) };
}

function assertSynthetic(csv: Awaited<ReturnType<typeof readDigitCsv>>, rows: number, format: 'train' | 'test'): void {
  assert.equal(csv.format, format);
  assert.equal(csv.count, rows);
  assert.equal(csv.pixels.length, rows * PIXELS);
  for (let r = 0; r < rows; r++) {
    assert.deepEqual(Array.from(csv.pixels.subarray(r * PIXELS, (r + 1) * PIXELS)), pixelsOf(r), `row ${r}`);
  }
  if (format === 'train') assert.deepEqual(Array.from(csv.labels!), Array.from({ length: rows }, (_, r) => r % 10));
  else assert.equal(csv.labels, null);
}

before(() => {
  dir = tempDir('digit-csv-test-');
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---- Kaggle data ---------------------------------------------------------------------------

describe('readDigitCsv on Kaggle files', function () {
  it("parses kaggle-train-head.csv (a byte-exact head of Kaggle's train.csv) to 1,537 labelled rows", async function () {
    const data = requireData(this);
    const file = path.join(data, 'kaggle-train-head.csv');
    const csv = await readDigitCsv(file, { expect: 'train' });
    assert.equal(csv.format, 'train');
    assert.equal(csv.count, 1537);
    assert.equal(csv.file, file);
    assert.equal(csv.pixels.length, 1537 * PIXELS);
    assert.equal(csv.pixels.buffer.byteLength, 1537 * PIXELS, 'no spare capacity kept');
    const firstColumn = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => Number(l.slice(0, l.indexOf(','))));
    assert.equal(firstColumn.length, 1537);
    assert.deepEqual(Array.from(csv.labels!.subarray(0, 5)), firstColumn.slice(0, 5));
    assert.deepEqual(Array.from(csv.labels!), firstColumn);
  });

  it('reads a train slice with exactly the pixels and labels of a simple split-based read', async function () {
    const data = requireData(this);
    const file = await slice(data, 'train.csv', 300, 1000);
    const csv = await readDigitCsv(file);
    const ref = simpleRead(file);
    assert.equal(ref.header[0], 'label');
    assert.equal(csv.format, 'train');
    assert.equal(csv.count, 300);
    assert.deepEqual(Array.from(csv.labels!), ref.rows.map((r) => r[0]));
    assert.deepEqual(Array.from(csv.pixels), ref.rows.flatMap((r) => r.slice(1)));
  });

  it('reads a test slice with exactly the pixels of a simple split-based read, and no labels', async function () {
    const data = requireData(this);
    const file = await slice(data, 'test.csv', 200, 500);
    const csv = await readDigitCsv(file, { expect: 'test' });
    const ref = simpleRead(file);
    assert.equal(ref.header[0], 'pixel0');
    assert.equal(csv.format, 'test');
    assert.equal(csv.count, 200);
    assert.equal(csv.labels, null);
    assert.deepEqual(Array.from(csv.pixels), ref.rows.flat());
  });

  it('stops after `limit` rows of the full train.csv without reading the rest', async function () {
    const data = requireData(this);
    const file = path.join(data, 'train.csv');
    let lastBytes = 0;
    const csv = await readDigitCsv(file, { limit: 50, onProgress: (p) => (lastBytes = p.bytes) });
    assert.equal(csv.count, 50);
    assert.equal(csv.labels!.length, 50);
    assert.equal(csv.pixels.length, 50 * PIXELS);
    const ref = simpleRead(await slice(data, 'train.csv', 50));
    assert.deepEqual(Array.from(csv.labels!), ref.rows.map((r) => r[0]));
    assert.deepEqual(Array.from(csv.pixels), ref.rows.flatMap((r) => r.slice(1)));
    assert.ok(lastBytes < fs.statSync(file).size / 10, `read ${lastBytes} bytes`);
    await assertClosed(file);
  });

  it('cancels a read of the full train.csv with CancelledError', async function () {
    const data = requireData(this);
    const controller = new AbortController();
    let rowsAtCancel = -1;
    await assert.rejects(
      readDigitCsv(path.join(data, 'train.csv'), {
        signal: controller.signal,
        onProgress: (p) => {
          if (rowsAtCancel < 0 && p.rows > 0) {
            rowsAtCancel = p.rows;
            controller.abort();
          }
        },
      }),
      CancelledError,
    );
    assert.ok(rowsAtCancel > 0 && rowsAtCancel < 42000);
  });

  it('sniffs the format of the Kaggle files from their header', async function () {
    const data = requireData(this);
    assert.equal(await sniffCsvFormat(path.join(data, 'train.csv')), 'train');
    assert.equal(await sniffCsvFormat(path.join(data, 'test.csv')), 'test');
    assert.equal(await sniffCsvFormat(path.join(data, 'sample_submission.csv')), undefined);
  });
});

// ---- accepted variants (synthetic, no data needed) -----------------------------------------

describe('readDigitCsv accepts', () => {
  it('a train-format file with LF line endings', async () => {
    assertSynthetic(await readDigitCsv(trainFile(25)), 25, 'train');
  });

  it('a test-format file, with labels null', async () => {
    const file = write([TEST_HEADER, ...testLines(12)].join('\n') + '\n');
    assertSynthetic(await readDigitCsv(file, { expect: 'test' }), 12, 'test');
  });

  it('CRLF line endings', async () => {
    assertSynthetic(await readDigitCsv(trainFile(20, undefined, '\r\n')), 20, 'train');
  });

  it('a UTF-8 BOM', async () => {
    const file = write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(trainFile(7, undefined, '\r\n'))]));
    assertSynthetic(await readDigitCsv(file), 7, 'train');
    assert.equal(await sniffCsvFormat(file), 'train');
  });

  it('no final newline', async () => {
    assertSynthetic(await readDigitCsv(trainFile(9, undefined, '\n', false)), 9, 'train');
  });

  it('blank trailing lines (LF and CRLF)', async () => {
    assertSynthetic(await readDigitCsv(trainFile(9, (l) => l.push('', '', ''))), 9, 'train');
    assertSynthetic(await readDigitCsv(trainFile(9, (l) => l.push('', ' '), '\r\n')), 9, 'train');
  });

  it('more rows than the first buffer estimate (the arrays grow and are trimmed exactly)', async () => {
    // Short first rows make the size estimate low, so the arrays have to grow.
    const file = trainFile(3000, (l) => {
      for (let i = 1; i <= 200; i++) l[i] = [i % 10, ...new Array(PIXELS).fill(0)].join(',');
    });
    const csv = await readDigitCsv(file);
    assert.equal(csv.count, 3000);
    assert.equal(csv.pixels.buffer.byteLength, 3000 * PIXELS);
    assert.equal(csv.labels!.buffer.byteLength, 3000);
    assert.deepEqual(Array.from(csv.pixels.subarray(2999 * PIXELS)), pixelsOf(2999));
    assert.equal(csv.labels![2999], 9);
  });
});

describe('readDigitCsv options', () => {
  it('limit: stops after that many rows', async () => {
    const file = trainFile(40);
    assertSynthetic(await readDigitCsv(file, { limit: 10 }), 10, 'train');
    await assertClosed(file);
    assertSynthetic(await readDigitCsv(file, { limit: 1000 }), 40, 'train');
  });

  it('limit: rows after the limit are not checked', async () => {
    const file = trainFile(40, (l) => (l[30] = 'oops'));
    assertSynthetic(await readDigitCsv(file, { limit: 20 }), 20, 'train');
  });

  it('expect: a test-format file where train is expected is an InputError, and vice versa', async () => {
    const testFile = write([TEST_HEADER, ...testLines(3)].join('\n'));
    await rejectsInput(readDigitCsv(testFile, { expect: 'train' }), testFile, {
      line: 1,
      message: `${testFile} is in test format (no label column), expected a labelled train-format file`,
    });
    const trainF = trainFile(3);
    await rejectsInput(readDigitCsv(trainF, { expect: 'test' }), trainF, {
      line: 1,
      message: /is in train format \(it has a label column\), expected an unlabelled test-format file/,
    });
  });

  it('signal: an already-aborted signal rejects with CancelledError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(readDigitCsv(trainFile(3), { signal: controller.signal }), CancelledError);
  });

  it('signal: aborting mid-read rejects with CancelledError and closes the file', async () => {
    const file = trainFile(4000); // ~7 MB: many read buffers
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(
      readDigitCsv(file, {
        signal: controller.signal,
        onProgress: () => {
          if (++calls === 1) controller.abort();
        },
      }),
      CancelledError,
    );
    await assertClosed(file);
    assert.equal(calls, 1, 'no progress after cancelling');
  });

  it('onProgress: rows increase monotonically and the final report has bytes == file size', async () => {
    const file = trainFile(3500);
    const size = fs.statSync(file).size;
    const reports: CsvProgress[] = [];
    const csv = await readDigitCsv(file, { onProgress: (p) => reports.push({ ...p }) });
    assert.ok(reports.length >= 3, `${reports.length} reports`);
    for (let i = 1; i < reports.length; i++) {
      assert.ok(reports[i].rows >= reports[i - 1].rows, 'rows never decrease');
      assert.ok(reports[i].bytes >= reports[i - 1].bytes, 'bytes never decrease');
    }
    assert.ok(reports.every((p) => p.totalBytes === size && p.bytes <= size));
    const last = reports[reports.length - 1];
    assert.equal(last.rows, csv.count);
    assert.equal(last.bytes, size);
  });
});

// ---- malformed input (synthetic, no data needed) -------------------------------------------

describe('readDigitCsv rejects', () => {
  it('a missing file', async () => {
    const file = path.join(dir, 'nope.csv');
    await rejectsInput(readDigitCsv(file), file, { message: /does not exist/ });
  });

  it('an empty file, and one holding only a BOM and newlines', async () => {
    const empty = write('');
    await rejectsInput(readDigitCsv(empty), empty, { message: /case-\d+\.csv is empty/ });
    const blank = write('\ufeff\r\n\n');
    await rejectsInput(readDigitCsv(blank), blank, { message: /is empty/ });
  });

  it('a missing header (first line is numbers)', async () => {
    const file = write(trainLines(5).join('\n') + '\n');
    await rejectsInput(readDigitCsv(file), file, { line: 1, message: /has no header: line 1 starts with the number '0'/ });
  });

  it('a wrong column name, saying which and what was expected', async () => {
    const file = trainFile(3, (l) => (l[0] = l[0].replace('pixel5,', 'pixel_5,')));
    await rejectsInput(readDigitCsv(file), file, {
      line: 1,
      column: 7,
      message: "line 1 (header), column 7: unexpected column name 'pixel_5', expected 'pixel5'",
    });
    const other = write('id,name\n1,2\n');
    await rejectsInput(readDigitCsv(other), other, { line: 1, column: 1, message: "unexpected column name 'id', expected 'pixel0'" });
  });

  it('a header with a missing or an extra column', async () => {
    const short = trainFile(3, (l) => (l[0] = l[0].slice(0, l[0].lastIndexOf(','))));
    await rejectsInput(readDigitCsv(short), short, {
      line: 1,
      message: "line 1 (header) ends after 'pixel782': expected 785 columns",
    });
    const long = trainFile(3, (l) => (l[0] += ',extra'));
    await rejectsInput(readDigitCsv(long), long, { line: 1, column: 786, message: "extra column 'extra' after 'pixel783'" });
  });

  it('a header with no data rows', async () => {
    for (const content of [TRAIN_HEADER, TRAIN_HEADER + '\n', TEST_HEADER + '\r\n\r\n']) {
      const file = write(content);
      await rejectsInput(readDigitCsv(file), file, { line: 2, message: /has a header but no data rows/ });
    }
  });

  it('a row with too few fields, at its exact line (LF and CRLF)', async () => {
    for (const eol of ['\n', '\r\n']) {
      const file = trainFile(30, (l) => (l[16] = l[16].slice(0, l[16].lastIndexOf(','))), eol);
      await rejectsInput(readDigitCsv(file), file, { line: 17, message: /line 17: expected 785 fields, found 784$/ });
    }
  });

  it('a row with too many fields, closing the file', async () => {
    const file = trainFile(3000, (l) => (l[9] += ',0'));
    await rejectsInput(readDigitCsv(file), file, { line: 10, message: 'line 10: expected 785 fields, found 786' });
    await assertClosed(file);
  });

  it('a non-integer value, naming line and column (LF and CRLF)', async () => {
    for (const eol of ['\n', '\r\n']) {
      const file = trainFile(10, (l) => {
        const f = l[4].split(',');
        f[13] = '3.5';
        l[4] = f.join(',');
      }, eol);
      await rejectsInput(readDigitCsv(file), file, {
        line: 5,
        column: 14,
        message: "line 5, column 'pixel12' (column 14): '3.5' is not an integer 0–255",
      });
    }
  });

  it('a non-integer in the last column of a CRLF file', async () => {
    const file = trainFile(10, (l) => (l[3] = l[3].replace(/,\d+$/, ',x')), '\r\n');
    await rejectsInput(readDigitCsv(file), file, { line: 4, column: 785, message: "column 'pixel783' (column 785): 'x' is not" });
  });

  it('out-of-range and empty values', async () => {
    const cases: Array<[col: number, value: string, message: string]> = [
      [1, '10', "column 'label' (column 1): 10 is out of range, expected a digit label 0–9"],
      [1, 'seven', "column 'label' (column 1): 'seven' is not a digit label 0–9"],
      [300, '256', "column 'pixel298' (column 300): 256 is out of range, expected an integer 0–255"],
      [2, '-1', "column 'pixel0' (column 2): -1 is out of range, expected an integer 0–255"],
      [785, '1000', "column 'pixel783' (column 785): 1000 is out of range"],
      [50, '', "column 'pixel48' (column 50): is empty, expected an integer 0–255"],
    ];
    for (const [col, value, message] of cases) {
      const file = trainFile(12, (l) => {
        const f = l[8].split(',');
        f[col - 1] = value;
        l[8] = f.join(',');
      });
      await rejectsInput(readDigitCsv(file), file, { line: 9, column: col, message: `line 9, ${message}` });
    }
  });

  it('an out-of-range pixel in a test-format file', async () => {
    const file = write([TEST_HEADER, ...testLines(5)].join('\n').replace(/\n0,/, '\n300,') + '\n');
    await rejectsInput(readDigitCsv(file), file, { line: 2, column: 1, message: "column 'pixel0' (column 1): 300 is out of range" });
  });

  it('a truncated last row (file ends mid-row), with or without a final newline', async () => {
    for (const finalEol of [false, true]) {
      const file = trainFile(20, (l) => (l[20] = l[20].slice(0, 700)), '\n', finalEol);
      const found = l20Fields(700);
      await rejectsInput(readDigitCsv(file), file, {
        line: 21,
        message: `line 21: the file ends in the middle of a row (expected 785 fields, found ${found})`,
      });
    }
  });

  it('a blank line followed by more rows, at the blank line', async () => {
    const file = trainFile(10, (l) => l.splice(6, 0, ''), '\r\n');
    await rejectsInput(readDigitCsv(file), file, { line: 7, message: 'line 7 is blank' });
  });

  it('binary files such as a zip archive', async () => {
    const zip = write(Buffer.concat([Buffer.from('PK\u0003\u0004\u0014\u0000\u0008\u0000'), Buffer.alloc(50, 0x9c), Buffer.from('\n')]));
    await rejectsInput(readDigitCsv(zip), zip, { line: 1, message: /is not a UTF-8 text CSV file.*zip archive/ });
    const utf16 = write(Buffer.from('\ufeff' + TRAIN_HEADER + '\n', 'utf16le'));
    await rejectsInput(readDigitCsv(utf16), utf16, { line: 1, message: /is not a UTF-8 text CSV file \(line 1 holds binary data\)$/ });
  });

  it('a blank line before the header', async () => {
    const file = trainFile(3, (l) => l.unshift(''));
    await rejectsInput(readDigitCsv(file), file, { line: 1, message: 'line 1 is blank; expected the CSV header' });
  });

  it('an overlong line (e.g. bare-CR line endings) without scanning it quadratically', async () => {
    const file = trainFile(800, undefined, '\r');
    await rejectsInput(readDigitCsv(file), file, { line: 1, message: /line 1 is over 1 MB long.*bare CR/ });
  });
});

describe('sniffCsvFormat', () => {
  it('tells train from test by the header, and anything else is undefined', async () => {
    assert.equal(await sniffCsvFormat(trainFile(2)), 'train');
    assert.equal(await sniffCsvFormat(write(TEST_HEADER + '\r\n' + testLines(1)[0])), 'test');
    assert.equal(await sniffCsvFormat(write(TEST_HEADER)), 'test');
    assert.equal(await sniffCsvFormat(write('ImageId,Label\n1,2\n')), undefined);
    assert.equal(await sniffCsvFormat(write('')), undefined);
    assert.equal(await sniffCsvFormat(path.join(dir, 'missing.csv')), undefined);
  });
});

/** Fields in the first `chars` characters of synthetic row 19 (the 20th data row). */
function l20Fields(chars: number): number {
  return trainLines(20)[19].slice(0, chars).split(',').length;
}
