// The .vsix as `npm run package` makes it: vsce gives no warning; package.json's "files" allow-list
// lets in only what the extension loads at run time (no tests, benchmarks, sources, source maps,
// models or data), and the package stays under a stated size; and what it holds is enough: its own
// engine worker, started from the unpacked package with no project folder around it, trains,
// predicts and imports a Keras model.
//
// What the allow-list ships, and why (see package.json "files"):
// - dist/: the extension host's bundle, the engine worker, its replica threads, the native probe,
//   our kernels.wasm and the webviews' scripts (not the CLI, not source maps);
// - media/: the icon, the webviews' styles, the walkthrough's pictures and Markdown;
// - node_modules/: only what esbuild leaves external and Node loads: @tensorflow/* (each package's
//   package.json and its one Node build; of the wasm backend's three binaries only the SIMD one,
//   the one Node loads: our kernels need SIMD anyway, and multi-threaded wasm is off in Node),
//   seedrandom (required by them; long was only the umbrella @tensorflow/tfjs's), h5wasm's Node build (Keras import);
// - LICENSE, CHANGELOG.md; README.md and package.json are always in.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { packageVsix } from '../../scripts/package';
import { ICON_PNG, maxPixelDifference, renderIcon } from '../../scripts/renderIcon';
import type { FromWorker, ToWorker, WorkerRequest, WorkerResults } from '../../src/worker/protocol';
import pkg from '../../package.json';
import { KERAS_FIXTURES, requireKerasFixtures } from '../support/keras';

/** "2.75 MB" as vsce prints sizes: today's package is 2.46 (3.05 with the whole @tensorflow/tfjs); more needs a reason. */
const MAX_VSIX_BYTES = 2.75 * 1024 * 1024;

/** Files a .vsix must never hold: tests, benchmarks, sources, maps, build leftovers, models, data. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/^extension\/(src|test|bench|scripts|docs|out|bin|\.ci|\.cache|\.vscode-test|test-artifacts|models)\//, 'a project folder that is not loaded at run time'],
  [/(^|\/)(tests?|__tests__|spec|benchmarks?|coverage|\.nyc_output|\.rollup\.cache|\.github)\//i, "a package's tests, benchmarks or build cache"],
  [/\.(ts|mts|cts|tsx|map|tsbuildinfo|c|h|py|gyp|psd)$/, 'source, a source map or a build file'],
  [/(^|\/)(model\.json|weights\.bin|metadata\.json)$|\.(h5|keras|csv|bin|npz|onnx|pb)$/i, 'a model or data file'],
  [/\.vsix$/, 'a package inside the package'],
  [/node_modules\/@tensorflow\/tfjs-node/, 'native TensorFlow (installed on demand, never shipped)'],
];

describe('the packaged .vsix', function () {
  this.timeout(5 * 60_000);
  let dir: string;
  let vsix: string;
  let output: string;
  let entries: Record<string, Uint8Array>;
  let unpacked: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-vsix-'));
    vsix = path.join(dir, 'digit-recognizer.vsix');
    output = packageVsix(vsix, { quiet: true });
    entries = unzipSync(fs.readFileSync(vsix));
    // Unpacked outside the project, so nothing resolves from the project's node_modules.
    unpacked = path.join(dir, 'unpacked');
    for (const [name, data] of Object.entries(entries)) {
      if (name.endsWith('/')) continue;
      fs.mkdirSync(path.dirname(path.join(unpacked, name)), { recursive: true });
      fs.writeFileSync(path.join(unpacked, name), data);
    }
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('packages with no warning from vsce', () => {
    assert.doesNotMatch(output, /WARNING|ERROR/, output);
    assert.match(output, /DONE\s+Packaged:/);
  });

  it(`is under ${MAX_VSIX_BYTES / 1024 / 1024} MB`, () => {
    const bytes = fs.statSync(vsix).size;
    const files = Object.keys(entries).filter((n) => !n.endsWith('/')).length; // as vsce counts them
    console.log(`      ${(bytes / 1024 / 1024).toFixed(2)} MB, ${files} files`);
    assert.ok(bytes < MAX_VSIX_BYTES, `${bytes} bytes`);
  });

  it('holds no tests, benchmarks, sources, source maps, models or data', () => {
    const bad = Object.keys(entries).flatMap((name) => FORBIDDEN.filter(([re]) => re.test(name)).map(([, why]) => `${name}: ${why}`));
    assert.deepStrictEqual(bad, []);
  });

  it('holds the files the manifest and the extension name: entry points, icon, walkthrough media, webviews, license, changelog', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'extension', 'package.json'), 'utf8')) as typeof pkg;
    const walkthroughMedia = manifest.contributes.walkthroughs.flatMap((w) =>
      w.steps.flatMap((s) => {
        const media = s.media as { markdown?: string; image?: Record<string, string> };
        return media.markdown ? [media.markdown] : Object.values(media.image ?? {});
      }),
    );
    const needed = [
      manifest.main,
      manifest.icon,
      ...walkthroughMedia,
      // Started or read by the extension at run time (src/extension: engineClient, nativeProbe, the panels).
      'dist/engineWorker.js',
      'dist/replicaWorker.js',
      'dist/nativeProbe.js',
      'dist/wasm/kernels.wasm',
      ...['pad', 'dashboard', 'report', 'explorer'].map((n) => `dist/webview/${n}.js`),
      'media/pad.css',
      'media/insights.css',
      'LICENSE.txt',
      'changelog.md',
      'readme.md',
    ];
    const missing = needed.map((f) => `extension/${path.posix.normalize(f)}`).filter((f) => !(f in entries));
    assert.deepStrictEqual(missing, []);
  });

  it('its icon is a 128×128 PNG, what media/icon.svg renders to', async () => {
    const icon = PNG.sync.read(Buffer.from(entries[`extension/${pkg.icon}`]));
    assert.deepStrictEqual([icon.width, icon.height], [128, 128]);
    assert.strictEqual(maxPixelDifference(await renderIcon(), fs.readFileSync(ICON_PNG)), 0, 'media/icon.png is stale: npm run build:icon');
  });

  describe('runs from its own files', () => {
    let worker: PackagedEngine;
    let work: string;

    before(() => {
      work = path.join(dir, 'work');
      fs.mkdirSync(work);
      worker = new PackagedEngine(path.join(unpacked, 'extension', 'dist', 'engineWorker.js'));
    });

    after(async () => {
      await worker?.terminate();
    });

    it('its engine worker trains on the WebAssembly backend, saves and predicts', async () => {
      const trainFile = path.join(work, 'train.csv');
      fs.writeFileSync(trainFile, stripedDigits(200));
      const settings = { arch: 'seed', epochs: 1, batchSize: 32, learningRate: 0.002, schedule: 'constant', validationSplit: 0.1, augment: false, labelSmoothing: 0, emaDecay: 0, seed: 1, threads: 2, pseudoLabelConfidence: 0.99, networks: 1 } as const;
      let backend: string | undefined;
      const trained = await worker.request({ type: 'train', job: { trainFile, settings, outDir: path.join(work, 'model'), name: 'packaged' } }, (event) => {
        if (event.kind === 'backend') backend = event.name;
      });
      assert.strictEqual(backend, 'wasm');
      assert.ok(fs.existsSync(path.join(trained.dir, 'model.json')));
      const prediction = await worker.request({ type: 'predict', modelDir: trained.dir, pixels: new Uint8Array(784), explain: true });
      assert.strictEqual(prediction.probabilities.length, 10);
      assert.ok(prediction.why, 'no map');
    });

    it('imports a Keras .h5 and a .keras model (h5wasm from the package)', async function () {
      const fixtures = requireKerasFixtures(this);
      for (const fixture of KERAS_FIXTURES.filter((f) => ['kzarama-mnist.h5', 'ronit2421-mnist-keras3.keras'].includes(f.file))) {
        const source = path.join(fixtures, fixture.file);
        const metadata = await worker.request({ type: 'import', source, destDir: path.join(work, fixture.file), name: fixture.name });
        assert.strictEqual(metadata.name, fixture.name);
      }
    });
  });
});

/** 28×28 images of a horizontal bar whose height says the digit, as a train-format CSV. */
function stripedDigits(rows: number): string {
  const lines = [`label,${Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',')}`];
  for (let r = 0; r < rows; r++) {
    const label = r % 10;
    const pixels = new Array<number>(784).fill(0);
    for (let x = 4; x < 24; x++) for (const y of [2 + 2 * label, 3 + 2 * label]) pixels[y * 28 + x] = 255;
    lines.push(`${label},${pixels.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The packaged engineWorker.js in a thread of its own, with the worker protocol's requests. */
class PackagedEngine {
  private readonly worker: Worker;
  private nextId = 1;
  /** Why the thread ended (it failed to load, or threw): every request from then on fails with it. */
  private ended: Error | undefined;
  private readonly pending = new Set<(err: Error) => void>();

  constructor(script: string) {
    this.worker = new Worker(script, { workerData: { backend: 'auto' }, execArgv: [] });
    const end = (err: Error) => {
      this.ended ??= err;
      for (const reject of this.pending) reject(this.ended);
      this.pending.clear();
    };
    this.worker.on('error', end);
    this.worker.on('exit', (code) => end(new Error(`the engine worker exited (${code})`)));
  }

  request<T extends WorkerRequest>(request: T, onEvent?: (event: Extract<FromWorker, { kind: 'event' }>['event']) => void): Promise<WorkerResults[T['type']]> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.id !== id) return;
        if (message.kind === 'event') return onEvent?.(message.event);
        this.worker.off('message', onMessage);
        this.pending.delete(reject);
        if (message.kind === 'result') resolve(message.result as WorkerResults[T['type']]);
        else reject(Object.assign(new Error(message.message), { name: message.name }));
      };
      this.pending.add(reject);
      this.worker.on('message', onMessage);
      this.worker.postMessage({ kind: 'request', id, request } satisfies ToWorker);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
