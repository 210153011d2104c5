// Seeded fuzz tests (fast-check): every message validator and every reader of the user's files
// is fed thousands of random and mutated inputs. Each must return a valid value or reject
// cleanly (a `{ ok: false }` or an InputError) — never throw anything else, never hang (mocha's
// timeout). Valid values are checked again (a validator's output is valid input).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import * as bmp from 'bmp-ts';
import { checkExtensionMessage, checkWebviewMessage } from '../../src/shared/padMessages';
import { checkDashboardFromWebview, checkDashboardToWebview } from '../../src/shared/dashboardMessages';
import { checkReportFromWebview, checkReportToWebview } from '../../src/shared/reportMessages';
import { checkExplorerFromWebview, checkExplorerToWebview } from '../../src/shared/explorerMessages';
import { checkFromWorker, checkToWorker } from '../../src/worker/protocol';
import { sampleExplorerStats, sampleReport, sampleRun } from '../support/insightSamples';
import { InputError } from '../../src/engine/core/errors';
import { readDigitCsv } from '../../src/engine/data/csv';
import { parseJson } from '../../src/engine/core/json';
import { captureArtifacts } from '../../src/engine/model/artifacts';
import { writeModelDir } from '../../src/engine/model/persistence';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { decodeImage } from '../../src/engine/data/imageDecode';
import { readJsonImages } from '../../src/engine/data/jsonImages';
import { initBackend } from '../../src/engine/kernels/backend';
import { smallModel } from '../support/crashSave';
import { tempDir } from '../support/data';

const SEED = 20261204;
/** fast-check's settings for one property: seeded (a failure prints its seed and path to replay). */
const runs = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });

type Check = (x: unknown) => { ok: true; value: unknown } | { ok: false; reason: string };

/** Any JSON-ish value, typed arrays and odd numbers included. */
const anything = fc.anything({ withTypedArray: true, withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withDate: true, maxDepth: 3 });

/** Paths to every value inside `x` (objects and arrays), the root included. */
function paths(x: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(x)) x.slice(0, 20).forEach((v, i) => paths(v, [...prefix, i], out));
  else if (x && typeof x === 'object' && !ArrayBuffer.isView(x)) for (const [k, v] of Object.entries(x)) paths(v, [...prefix, k], out);
  return out;
}

/** A deep copy of `x` with the value at `at` replaced (or, when `replacement` is the symbol, deleted). */
const DELETE = Symbol('delete');
function replaced(x: unknown, at: Array<string | number>, replacement: unknown): unknown {
  if (at.length === 0) return replacement === DELETE ? undefined : replacement;
  const copy = (Array.isArray(x) ? [...x] : { ...(x as object) }) as Record<string | number, unknown>;
  const [head, ...rest] = at;
  if (rest.length === 0 && replacement === DELETE) delete copy[head];
  else copy[head] = replaced(copy[head], rest, replacement);
  return copy;
}

/** Valid messages with 1–3 of their values replaced by random ones (or removed). */
function mutants(valid: unknown[], values: fc.Arbitrary<unknown> = anything): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.oneof(values, fc.constant(DELETE), fc.constantFrom(-1, Infinity, NaN, '', 'x'.repeat(20_000), 2 ** 53, 0.5))), { minLength: 1, maxLength: 3 }))
    .map(([message, edits]) => {
      let m = message;
      for (const [pick, value] of edits) {
        const all = paths(m);
        m = replaced(m, all[pick % all.length], value);
      }
      return m;
    });
}

function fuzzValidator(name: string, check: Check, valid: unknown[], numRuns = 2500): void {
  it(`${name}: ${numRuns * 2} random and mutated messages are accepted or rejected, never thrown on`, function () {
    for (const v of valid) assert.ok(check(v).ok, `${name}: a seed message is valid: ${JSON.stringify(check(v))}`);
    const property = (x: unknown) => {
      const r = check(x);
      assert.equal(typeof r.ok, 'boolean');
      if (r.ok) assert.ok(check(r.value).ok, 'what a validator returns validates again');
      else assert.equal(typeof r.reason, 'string');
    };
    fc.assert(fc.property(anything, property), runs(numRuns));
    fc.assert(fc.property(mutants(valid), property), runs(numRuns));
  });
}

const probabilities = [0.01, 0.01, 0.9, 0.01, 0.01, 0.01, 0.01, 0.02, 0.01, 0.01];
const image = new Array(784).fill(0).map((_, i) => i % 256);

describe('fuzz: message validators', function () {
  this.timeout(120_000);

  fuzzValidator('pad, webview → extension', checkWebviewMessage, [
    { type: 'ready' },
    { type: 'predict', requestId: 3, pixels: image, explain: true },
    { type: 'command', command: 'fineTune' },
    { type: 'addSample', pixels: image, label: 4 },
    { type: 'deleteSample', row: 2, key: 'deadbeef' },
  ]);
  fuzzValidator('pad, extension → webview', checkExtensionMessage, [
    { type: 'prediction', requestId: 3, label: 2, probabilities, why: { contrast: 7, map: image.map((v) => (v % 255) - 127) } },
    { type: 'prediction', requestId: 4, label: 2, probabilities, memory: { label: 2, neighbours: 3, weight: 0.5 } },
    { type: 'model', model: { name: 'm', valAccuracy: 0.99 } },
    { type: 'samples', name: 'my-digits.csv', path: '.digit-recognizer/my-digits.csv', count: 3, items: [{ row: 2, key: 'deadbeef', label: 4 }], pixels: Buffer.alloc(784).toString('base64') },
    { type: 'sampleSaved', label: 4, count: 12 },
    { type: 'fineTune', state: 'running', message: 'Pass 1/10', fraction: 0.1 },
    { type: 'error', message: 'boom', requestId: 4 },
  ]);
  fuzzValidator('dashboard, webview → extension', checkDashboardFromWebview, [{ type: 'ready' }, { type: 'stop' }, { type: 'command', command: 'evaluate' }]);
  fuzzValidator('dashboard, extension → webview', checkDashboardToWebview, [
    { type: 'run', run: sampleRun() },
    { type: 'batch', point: { epoch: 1, epochs: 2, batch: 3, batches: 3, batchLoss: 0.5, batchAccuracy: 0.8, imagesPerSecond: 400, etaSeconds: null, learningRate: 0.001 } },
    { type: 'status', status: 'done', modelId: 'seed-1' },
  ]);
  fuzzValidator('report, webview → extension', checkReportFromWebview, [{ type: 'export', format: 'csv' }, { type: 'command', command: 'evaluateAgain' }, { type: 'ready' }]);
  fuzzValidator('report, extension → webview', checkReportToWebview, [
    { type: 'report', report: sampleReport() },
  ]);
  fuzzValidator('explorer, webview → extension', checkExplorerFromWebview, [{ type: 'ready' }, { type: 'openLine', line: 4, column: 3 }, { type: 'command', command: 'train' }]);
  fuzzValidator('explorer, extension → webview', checkExplorerToWebview, [
    { type: 'stats', stats: sampleExplorerStats() },
    { type: 'progress', file: 'f', rows: 1, bytes: 2, totalBytes: 3 },
  ]);
  fuzzValidator('engine worker, extension → worker', checkToWorker, [
    { kind: 'request', id: 1, request: { type: 'predict', modelDir: '/m', pixels: new Uint8Array(784), explain: true } },
    { kind: 'request', id: 6, request: { type: 'predict', modelDir: '/m', pixels: new Uint8Array(784), samplesFile: '/w/my-digits.csv' } },
    { kind: 'request', id: 2, request: { type: 'train', job: { trainFile: '/d/train.csv', outDir: '/m', name: 'm', settings: { epochs: 1 }, limit: 100 } } },
    { kind: 'request', id: 3, request: { type: 'submit', job: { testFile: '/d/test.csv', model: '/m', outFile: '/d/submission.csv', replace: true } } },
    { kind: 'request', id: 4, request: { type: 'fineTune', job: { modelDir: '/m', samplesFile: '/s.csv', replayFile: '/d/train.csv', outDir: '/n', name: 'n', settings: {} } } },
    { kind: 'cancel', id: 5 },
  ]);
  fuzzValidator('engine worker, worker → extension', checkFromWorker, [
    { kind: 'event', id: 1, event: { kind: 'predicting', done: 1, total: 2 } },
    { kind: 'result', id: 2, result: { rows: 1 } },
    { kind: 'error', id: 3, name: 'InputError', message: 'bad file' },
  ]);
});

/** Random edits of `text`: characters replaced, inserted or deleted, lines cut, duplicated or dropped. */
function mutatedText(valid: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'dupLine', 'dropLine'), fc.constantFrom(',', '\n', '\r', '"', '-1', '256', '1.5', 'x', ' ', '\u0000', '9'.repeat(30), '', '\ufeff', '1e400', 'NaN'));
  return fc.tuple(fc.constantFrom(...valid), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([text, edits]) => {
    let t = text;
    for (const [n, kind, piece] of edits) {
      const at = t.length ? n % t.length : 0;
      const lines = t.split('\n');
      const line = lines.length ? n % lines.length : 0;
      if (kind === 'replace') t = t.slice(0, at) + piece + t.slice(at + 1);
      else if (kind === 'insert') t = t.slice(0, at) + piece + t.slice(at);
      else if (kind === 'delete') t = t.slice(0, at) + t.slice(at + 1 + (n % 5));
      else if (kind === 'truncate') t = t.slice(0, at);
      else if (kind === 'dupLine') t = [...lines.slice(0, line + 1), lines[line], ...lines.slice(line + 1)].join('\n');
      else t = [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n');
    }
    return t;
  });
}

/** Rejects with anything but an InputError: that is a bug the fuzzer found. */
async function cleanly<T>(work: () => Promise<T> | T): Promise<T | InputError> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

describe('fuzz: readers of the user\'s files', function () {
  this.timeout(300_000);
  const dir = tempDir('digit-fuzz-');
  let n = 0;
  const file = (ext: string, data: string | Uint8Array) => {
    const p = path.join(dir, `f${n++ % 50}${ext}`);
    fs.writeFileSync(p, data);
    return p;
  };

  const header = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');
  const row = (label: number | null, seed: number) => [...(label === null ? [] : [label]), ...Array.from({ length: 784 }, (_, i) => ((i * seed) % 7 === 0 ? (i * seed) % 256 : 0))].join(',');
  const trainCsv = `${header}\n${row(3, 5)}\n${row(7, 11)}\n${row(0, 13)}\n`;
  const testCsv = `${header.slice('label,'.length)}\n${row(null, 5)}\r\n${row(null, 7)}\r\n`;

  it('CSV reader: 1,500 mutated train/test files and 500 random ones give rows or an InputError', async function () {
    const check = async (text: string) => {
      const result = await cleanly(() => readDigitCsv(file('.csv', text)));
      if (result instanceof InputError) return;
      assert.equal(result.pixels.length, result.count * 784);
      if (result.labels) assert.ok(result.labels.every((l) => l >= 0 && l <= 9));
    };
    await fc.assert(fc.asyncProperty(mutatedText([trainCsv, testCsv]), check), runs(1500));
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 3000 }), check), runs(500));
  });

  it('JSON: 3,000 random and mutated texts parse or give an InputError with a line and column, never raw bytes', async function () {
    const valid = [JSON.stringify({ modelTopology: { a: [1, 2, { b: null }] }, weightsManifest: [] }, null, 2), JSON.stringify(image)];
    const property = (text: string) => {
      const result = (() => {
        try {
          return parseJson(text, 'x.json');
        } catch (err) {
          if (err instanceof InputError) return err;
          throw err;
        }
      })();
      if (result instanceof InputError) {
        assert.match(result.message, /^x\.json: not (valid JSON( \(line \d+, column \d+: [a-z ]+\))?|a JSON file \(it holds binary data\))$/);
      }
    };
    fc.assert(fc.property(mutatedText(valid), property), runs(1500));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 500 }), property), runs(1500));
  });

  it('predict\'s JSON images: 1,500 mutated files give images or an InputError', async function () {
    const valid = [JSON.stringify(image), JSON.stringify([image, image])];
    await fc.assert(
      fc.asyncProperty(mutatedText(valid), async (text) => {
        const result = await cleanly(() => readJsonImages(file('.json', text)));
        if (!(result instanceof InputError)) assert.equal(result.pixels.length, result.count * 784);
      }),
      runs(1500),
    );
  });

  it('model.json: 1,000 mutated manifests and topologies load or give an InputError', async function () {
    await initBackend('auto');
    const modelDir = path.join(dir, 'model');
    const model = smallModel(0.01);
    await writeModelDir(modelDir, await captureArtifacts(model), { formatVersion: 1, name: 'm', created: new Date().toISOString(), architecture: 'test' });
    model.dispose();
    const valid = fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8');
    const mutatedJson = fc.tuple(mutants([JSON.parse(valid)], fc.jsonValue()), mutatedText([valid])).chain(([object, text]) => fc.constantFrom(JSON.stringify(object) ?? 'null', text));
    await fc.assert(
      fc.asyncProperty(mutatedJson, async (text) => {
        fs.writeFileSync(path.join(modelDir, 'model.json'), text);
        const loaded = await cleanly(() => loadAnyModel(modelDir));
        if (!(loaded instanceof InputError)) loaded.model.dispose();
      }),
      runs(1000),
    );
  });

  it('pictures: 3,000 mutated PNG, JPEG and BMP files decode or give an InputError', function () {
    const width = 20;
    const height = 16;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37) % 256;
    const pngFile = new PNG({ width, height });
    rgba.copy(pngFile.data);
    const valid = [PNG.sync.write(pngFile), Buffer.from(jpeg.encode({ data: rgba, width, height }, 80).data), Buffer.from(bmp.encode({ data: rgba, width, height, bitPP: 24 }).data)];
    const edit = fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('set', 'flip', 'truncate', 'insert', 'header'));
    const mutated = fc.tuple(fc.constantFrom(...valid), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([bytes, edits]) => {
      let b = Buffer.from(bytes);
      for (const [at, value, kind] of edits) {
        const i = at % b.length;
        // 'header': the first 64 bytes hold the sizes and lengths decoders trust.
        if (kind === 'set' || kind === 'header') b[kind === 'header' ? at % Math.min(64, b.length) : i] = value;
        else if (kind === 'flip') b[i] ^= 1 << value % 8;
        else if (kind === 'truncate') b = b.subarray(0, Math.max(1, i));
        else b = Buffer.concat([b.subarray(0, i), Buffer.from([value]), b.subarray(i)]);
      }
      return b;
    });
    fc.assert(
      fc.property(mutated, (bytes) => {
        try {
          const image = decodeImage(bytes, 'x');
          assert.ok(image.rgba.length >= image.width * image.height * 4);
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
        }
      }),
      runs(3000),
    );
  });
});
