// `npm run bench`: every speed and memory measurement of the engine, side by side with the
// PyTorch peer, printed as a table and appended to bench/RESULTS.md with machine, date and commit.
//   npm run bench [-- --quick]      --quick: fewer steps (a smoke run; results not recorded)
// Data: Kaggle's CSVs from $DIGIT_DATA_DIR or ../shared/data/digit-recognizer.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { readDigitCsv } from '../src/engine/data/csv';
import { createModel, disposeModel } from '../src/engine/model/architectures';
import { type Architecture } from '../src/shared/training';
import { imagesTensor, labelsTensor, range } from '../src/engine/data/dataset';
import { DEFAULT_AUGMENT, randomTransforms, transformImages } from '../src/engine/data/augment';
import { createRandom } from '../src/engine/core/random';
import { predictImages, predictOne } from '../src/engine/inference/predict';
import { saveModelDir } from '../src/engine/model/persistence';
import { runSubmissionJob } from '../src/engine/jobs/submissionJob';
import { DEFAULT_TRAIN_SETTINGS } from '../src/shared/training';
import { EngineClient } from '../src/extension/engineClient';
import { ReplicaPool, resolveThreads } from '../src/engine/parallel/replicaPool';
import { DataParallelTrainer, maxShardFor, type StepProfile } from '../src/engine/training/dataParallel';
import { type DigitImages } from '../src/engine/core/types';
import { trainStep } from '../src/engine/model/gradients';
import { dataDir, HOW_TO_GET_DATA } from '../test/support/data';
import { simdCeiling } from './simdCeiling';
import { trainingFlops } from './flops';

const ROOT = path.resolve(__dirname, '..');
const quick = process.argv.includes('--quick');
const BATCH = 128;

interface Row {
  measure: string;
  value: string;
  target?: string;
  peer?: string;
  ratio?: string;
  met?: boolean;
}

const rows: Row[] = [];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function log(line: string): void {
  console.error(`[bench] ${line}`);
}

/**
 * Steady-state training images/s of one architecture on real rows, batch 128, on `threads`
 * threads (1: gradients.ts trainStep; more: data parallel over replica threads, as trainModel does).
 */
async function trainingThroughput(arch: Architecture, data: DigitImages, augment: boolean, threads: number): Promise<{ imagesPerSecond: number; cores: number; profile?: StepProfile }> {
  const model = createModel(arch, { seed: 1 });
  const pool = threads > 1 ? await ReplicaPool.start(model, { replicas: threads - 1, maxShard: maxShardFor(BATCH, threads) }) : undefined;
  const trainer = pool && new DataParallelTrainer(model, pool);
  const indices = range(data.count);
  const random = createRandom(1);
  const steps = quick ? 4 : 30;
  const step = async (i: number) => {
    const start = (i * BATCH) % (data.count - BATCH);
    // As trainModel: transforms drawn for the batch, each thread augmenting its own shard.
    const images = imagesTensor(data, indices, start, start + BATCH);
    const transforms = augment ? randomTransforms(BATCH, DEFAULT_AUGMENT, random) : undefined;
    const y = labelsTensor(data.labels!, indices, start, start + BATCH);
    if (trainer) {
      await trainer.trainOnBatch(images, y, transforms);
    } else {
      const x = transforms ? transformImages(images, transforms) : images;
      trainStep(model, x, y); // what trainModel runs on one thread (the fused step where it applies)
      if (x !== images) x.dispose();
    }
    tf.dispose([images, y]);
  };
  for (let i = 0; i < 3; i++) await step(i); // warm-up
  if (trainer) for (const key of Object.keys(trainer.profile) as (keyof StepProfile)[]) trainer.profile[key] = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < steps; i++) await step(i + 3);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu); // the whole process: replica threads included
  await pool?.close();
  disposeModel(model);
  return { imagesPerSecond: (steps * BATCH) / seconds, cores: (used.user + used.system) / 1e6 / seconds, profile: trainer?.profile };
}

/** A data-parallel step's time, per step: where the trainer and its first replica spend it. */
function describeProfile(p: StepProfile): string {
  const ms = (v: number) => fmt(v / p.steps);
  return `trainer: own shard ${ms(p.own)} ms, waiting ${ms(p.wait)}, combining ${ms(p.combine)}, optimizer ${ms(p.apply)}, publishing weights ${ms(p.publish)}; replica: weights in ${ms(p.replicaIn)} ms, shard ${ms(p.replicaCompute)}, gradients out ${ms(p.replicaOut)}`;
}

/** Parses a CSV in a fresh process so its memory growth is its own. */
function csvParse(file: string): { seconds: number; rssMB: number } {
  const script = `
    const { readDigitCsv } = require(${JSON.stringify(path.join(ROOT, 'src/engine/data/csv.ts'))});
    const before = process.memoryUsage().rss; let peak = before;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const t = performance.now();
    readDigitCsv(${JSON.stringify(file)}).then((d) => {
      const seconds = (performance.now() - t) / 1000; peak = Math.max(peak, process.memoryUsage().rss); clearInterval(timer);
      console.log(JSON.stringify({ seconds, rssMB: (peak - before) / 2 ** 20, rows: d.count }));
    });`;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** Event-loop delay of this (host-like) thread while the extension's worker trains. */
async function eventLoopWhileTraining(trainFile: string): Promise<{ p50: number; p99: number; max: number }> {
  const client = new EngineClient(path.join(ROOT, 'dist'), () => 'auto', () => undefined);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-model-'));
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  let started = false;
  try {
    await client.request(
      { type: 'train', job: { trainFile, settings: { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1 }, outDir: path.join(outDir, 'm'), name: 'bench', limit: quick ? 1000 : 4000 } },
      { onEvent: (e) => { if (e.kind === 'batch' && !started) { started = true; histogram.enable(); } } },
    );
  } finally {
    histogram.disable();
    await client.dispose();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

interface PeerRun {
  train: number;
  predict: number;
  version: string;
}

/** The PyTorch peer (bench/torch_peer.py) for one CNN, augmented or not; a string says why not. */
function torchPeer(train: string, test: string, arch: Architecture, augment: boolean): PeerRun | string {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)';
  const args = [path.join(__dirname, 'torch_peer.py'), '--train', train, '--test', test, '--threads', String(os.cpus().length), '--arch', arch];
  if (augment) args.push('--augment');
  if (quick) args.push('--train-batches', '5', '--predict-rows', '2000');
  const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (run.status !== 0) return `failed: ${run.stderr.trim().split('\n').pop()}`;
  const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
  return { train: r.train_images_per_second, predict: r.predict_images_per_second, version: r.torch };
}

/** Seconds of a whole process, start to exit (the best of `runs`); throws with its stderr if it fails. */
function processSeconds(command: string, args: string[], runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

async function main(): Promise<void> {
  const dir = dataDir();
  if (!dir) {
    console.error(HOW_TO_GET_DATA);
    process.exit(1);
  }
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { stdio: 'inherit' });
  const loadAtStart = os.loadavg()[0];
  const ceiling = simdCeiling();
  const trainFile = path.join(dir, 'train.csv');
  const testFile = path.join(dir, 'test.csv');

  log('PyTorch peers…');
  const peers = {
    seed: torchPeer(trainFile, testFile, 'seed', false),
    default: torchPeer(trainFile, testFile, 'default', false),
    defaultAugmented: torchPeer(trainFile, testFile, 'default', true),
  };
  const peer = peers.seed;
  const backend = await initBackend('auto');
  log(`backend ${backend.name}`);

  log('CSV parsing…');
  const trainCsv = csvParse(trainFile);
  rows.push({ measure: 'parse train.csv (42,000 rows, 77 MB)', value: `${fmt(trainCsv.seconds, 2)} s, +${fmt(trainCsv.rssMB)} MB RSS`, target: '< 3 s, < 300 MB', met: trainCsv.seconds < 3 && trainCsv.rssMB < 300 });

  const train = await readDigitCsv(trainFile, { limit: 6000 });
  const auto = resolveThreads(0);
  const profiles: string[] = [];
  const threadCounts = auto > 1 ? [1, auto] : [1];
  const configs = ([['seed', false], ['seed', true], ['default', false], ['default', true]] as const).flatMap(([arch, augment]) => threadCounts.map((threads) => [arch, augment, threads] as const));
  const flopsPerImage = { seed: trainingFlops('seed'), default: trainingFlops('default') };
  let oneThread: number | undefined;
  for (const [arch, augment, threads] of configs) {
    const what = `${arch}${augment ? ' + augmentation' : ''}, ${threads === 1 ? '1 thread' : `${threads} threads (auto)`}`;
    log(`training ${what}…`);
    const t = await trainingThroughput(arch, train, augment, threads);
    if (t.profile) profiles.push(`- ${what}: ${describeProfile(t.profile)}`);
    // CPU time per image shows whether extra threads add work; img/s whether they were given a core.
    const gflops = (flopsPerImage[arch] * t.imagesPerSecond) / 1e9;
    const row: Row = { measure: `train ${what}, batch ${BATCH} (img/s; cores busy; CPU ms per image; GFLOP/s)`, value: `${fmt(t.imagesPerSecond)} img/s; ${fmt(t.cores, 2)} cores; ${fmt((1000 * t.cores) / t.imagesPerSecond, 1)} ms; ${fmt(gflops, 1)}` };
    const final = threads === auto;
    const rowPeer = arch === 'seed' ? (augment ? undefined : peers.seed) : augment ? peers.defaultAugmented : peers.default;
    if (rowPeer && typeof rowPeer !== 'string') {
      row.peer = `${fmt(rowPeer.train)} img/s`;
      row.ratio = `${fmt(t.imagesPerSecond / rowPeer.train, 2)}×`;
    }
    if (final && arch === 'seed' && !augment) {
      row.target = '≥ 2× PyTorch';
      if (rowPeer && typeof rowPeer !== 'string') row.met = t.imagesPerSecond >= 2 * rowPeer.train;
    }
    // Issue 26's targets: the product's network at least PyTorch's speed on two threads, 800 img/s on one, and 1.85× from the second thread.
    if (arch === 'default' && augment && threads === 1) {
      row.target = '≥ 800 img/s';
      row.met = t.imagesPerSecond >= 800;
      oneThread = t.imagesPerSecond;
    }
    if (final && threads > 1 && arch === 'default' && augment) {
      row.target = '≥ 1.0× PyTorch';
      if (rowPeer && typeof rowPeer !== 'string') row.met = t.imagesPerSecond >= rowPeer.train;
    }
    if (arch === 'default') {
      const epochImages = Math.round(42000 * (1 - DEFAULT_TRAIN_SETTINGS.validationSplit));
      row.value += `; ${fmt(epochImages / t.imagesPerSecond / 60, 1)} min/epoch on full train.csv`;
    }
    rows.push(row);
    if (final && threads > 1 && arch === 'default' && augment && oneThread) {
      const scaling = t.imagesPerSecond / oneThread;
      rows.push({ measure: `train default + augmentation: ${threads} threads against 1 (speed-up)`, value: `${fmt(scaling, 2)}×`, target: '≥ 1.85×', met: scaling >= 1.85 });
    }
  }

  log('whole training processes…');
  const sixThousand = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rows-')), 'train-6000.csv');
  fs.writeFileSync(sixThousand, fs.readFileSync(trainFile, 'utf8').split('\n').slice(0, 6001).join('\n') + '\n');
  const ours = processSeconds(process.execPath, [path.join(ROOT, 'bin', 'digit-recognizer.js'), 'train', sixThousand, '--arch', 'seed', '--epochs', '1', '--no-augment', '--out', path.join(path.dirname(sixThousand), 'model')], quick ? 1 : 2);
  const wholeRow: Row = { measure: 'whole process: `train <6,000 rows> --arch seed --epochs 1 --no-augment` (read, train, validate, save)', value: `${fmt(ours, 1)} s`, target: '≥ 2× PyTorch' };
  if (typeof peer !== 'string') {
    const theirs = processSeconds('/usr/bin/python3', [path.join(__dirname, 'torch_train.py'), sixThousand, '--arch', 'seed', '--no-augment', '--out', path.join(path.dirname(sixThousand), 'model.pt')], quick ? 1 : 2);
    Object.assign(wholeRow, { peer: `${fmt(theirs, 1)} s (bench/torch_train.py)`, ratio: `${fmt(theirs / ours, 2)}×`, met: theirs / ours >= 2 });
  }
  rows.push(wholeRow);
  fs.rmSync(path.dirname(sixThousand), { recursive: true, force: true });

  log('prediction…');
  const test = await readDigitCsv(testFile);
  const model = createModel('seed', { seed: 1 });
  await predictImages(model, { ...test, count: 1000 });
  for (const threads of auto > 1 ? [1, auto] : [1]) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    // With more than one thread this includes starting the replica threads (loading TF.js and the model).
    await predictImages(model, test, { threads });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const predictRate = test.count / seconds;
    rows.push({
      measure: `predict ${fmt(test.count)} test rows, seed, ${threads === 1 ? '1 thread' : `${threads} threads incl. their start`} (img/s; cores busy)`,
      value: `${fmt(predictRate)} img/s; ${fmt((used.user + used.system) / 1e6 / seconds, 2)} cores`,
      target: threads === auto ? '≥ 3× PyTorch' : undefined,
      ...(typeof peer === 'string' ? {} : { peer: `${fmt(peer.predict)} img/s`, ratio: `${fmt(predictRate / peer.predict, 2)}×`, met: threads === auto ? predictRate >= 3 * peer.predict : undefined }),
    });
  }

  const single: number[] = [];
  for (let i = 0; i < (quick ? 20 : 200); i++) {
    const t = performance.now();
    await predictOne(model, test.pixels.subarray(i * 784, (i + 1) * 784));
    single.push(performance.now() - t);
  }
  rows.push({ measure: 'single-image prediction (pad), median', value: `${fmt(median(single.slice(5)), 2)} ms`, target: '< 2 ms', met: median(single.slice(5)) < 2 });

  log('submission end to end…');
  const modelDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'model');
  await saveModelDir(model, { formatVersion: 1, name: 'bench', created: new Date().toISOString(), architecture: 'seed' }, modelDir);
  disposeModel(model);
  const out = path.join(path.dirname(modelDir), 'submission.csv');
  for (const threads of auto > 1 ? [1, auto] : [1]) {
    const started = performance.now();
    await runSubmissionJob({ testFile, model: modelDir, outFile: out, threads });
    const submitSeconds = (performance.now() - started) / 1000;
    const final = threads === auto;
    rows.push({ measure: `submission end to end (${fmt(test.count)} rows: load model, parse, predict, write), ${threads === 1 ? '1 thread' : `${threads} threads`}`, value: `${fmt(submitSeconds, 1)} s`, target: final ? '< 15 s' : undefined, met: final ? submitSeconds < 15 : undefined });
  }

  log('event loop while the worker trains…');
  const loop = await eventLoopWhileTraining(trainFile);
  rows.push({ measure: 'host event-loop delay while training in the worker (p50 / p99 / max)', value: `${fmt(loop.p50, 1)} / ${fmt(loop.p99, 1)} / ${fmt(loop.max, 1)} ms`, target: 'p99 < 20 ms', met: loop.p99 < 20 });

  const table = [
    '| measure | this project | target | PyTorch peer | ratio | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.measure} | ${r.value} | ${r.target ?? ''} | ${r.peer ?? ''} | ${r.ratio ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'no'} |`),
  ].join('\n');
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const machine = `${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${fmt(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
  const peerLine = typeof peer === 'string' ? `PyTorch peer ${peer}` : `PyTorch peer: torch ${peer.version}, ${os.cpus().length} threads, same CNNs (bench/torch_peer.py), batch ${BATCH}, eval batch 1,000 (seed CNN); GFLOP/s: multiply-adds ×2 of the convolutions and dense layers per trained image (seed ${fmt(flopsPerImage.seed / 1e6, 1)} M, default ${fmt(flopsPerImage.default / 1e6, 1)} M) × img/s, beside a 4-lane wasm SIMD ceiling of about ${fmt(ceiling ?? NaN, 0)} GFLOP/s per core (bench/kernelRates.ts)`;
  const profile = profiles.length ? `\nData-parallel training step profile (ms per step, mean over the measured steps):\n${profiles.join('\n')}\n` : '';
  const section = `\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · commit ${commit}${quick ? ' · quick' : ''}\n\nMachine: ${machine}. Backend: ${backend.name}${backend.simd ? ' (SIMD)' : ''}, load average at start ${loadAtStart.toFixed(1)}, at end ${os.loadavg()[0].toFixed(1)}. ${peerLine}.\n\n${table}\n${profile}`;
  console.log(section);
  if (!quick) {
    fs.appendFileSync(path.join(__dirname, 'RESULTS.md'), section);
    log('appended to bench/RESULTS.md');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
