// Soak: many jobs in ONE engine worker (the built dist/engineWorker.js, as the extension runs it),
// watching that nothing accumulates. 10 rounds of train + fine-tune + submission, then 5,000 pad
// predictions (every 10th with its "see why" map); after each round and every 500 predictions it
// asks the worker for its live tensors and the process's RSS. Appends a table to bench/SOAK.md.
//
//   npm run build && npx tsx bench/soak.ts [--rounds N] [--predictions N]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EngineClient } from '../src/extension/engineClient';
import { DEFAULT_TRAIN_SETTINGS } from '../src/shared/training';
import { DEFAULT_FINE_TUNE_SETTINGS } from '../src/shared/training';
import type { EngineMemory } from '../src/engine/jobs/context';
import { dataDir, HOW_TO_GET_DATA, slice } from '../test/support/data';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 10);
const PREDICTIONS = arg('predictions', 5000);

interface Sample extends EngineMemory {
  after: string;
  seconds: number;
}

async function main(): Promise<void> {
  const data = dataDir();
  if (!data) throw new Error(HOW_TO_GET_DATA);
  const train = await slice(data, 'train.csv', 2000);
  const test = await slice(data, 'test.csv', 2000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  // Fifty "drawings" for the fine-tune: rows of train.csv not in the training slice.
  const drawings = await slice(data, 'train.csv', 50, 30_000);
  const samplesFile = path.join(work, 'my-digits.csv');
  fs.copyFileSync(drawings, samplesFile);

  const client = new EngineClient(path.join(ROOT, 'dist'), () => 'auto', (line) => console.error(`[worker] ${line}`));
  const samples: Sample[] = [];
  const started = performance.now();
  const record = async (after: string) => {
    const memory = await client.request({ type: 'memory' });
    samples.push({ after, seconds: (performance.now() - started) / 1000, ...memory });
    console.error(`[soak] ${after}: ${memory.tensors} tensors, ${(memory.rss / 1048576).toFixed(0)} MB RSS`);
  };
  try {
    await record('start');
    for (let round = 1; round <= ROUNDS; round++) {
      const outDir = path.join(work, `model-${round}`);
      await client.request({ type: 'train', job: { trainFile: train, settings: { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1, seed: round }, outDir, name: `soak ${round}` } });
      await client.request({
        type: 'fineTune',
        job: { modelDir: outDir, samplesFile, replayFile: train, outDir: path.join(work, `tuned-${round}`), name: `soak ${round} + my digits`, settings: { ...DEFAULT_FINE_TUNE_SETTINGS, epochs: 2 }, heldOutRows: 200, rowsWithoutSplit: 2000 },
      });
      await client.request({ type: 'submit', job: { testFile: test, model: outDir, outFile: path.join(work, `submission-${round}.csv`) } });
      await record(`round ${round} (train, fine-tune, submit)`);
    }
    const model = path.join(work, `model-${ROUNDS}`);
    const pixels = new Uint8Array(784);
    for (let i = 1; i <= PREDICTIONS; i++) {
      for (let p = 0; p < 784; p++) pixels[p] = (p * i) % 7 === 0 ? 255 : 0;
      await client.request({ type: 'predict', modelDir: model, pixels, explain: i % 10 === 0 });
      if (i % 500 === 0) await record(`${i} pad predictions`);
    }
  } finally {
    await client.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  report(samples);
}

function report(samples: Sample[]): void {
  const mb = (n: number) => (n / 1048576).toFixed(0);
  const cpu = os.cpus();
  const lines = [
    '',
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim()}, ${mb(os.totalmem())} MB, Node ${process.version}. One engine worker (dist/engineWorker.js), backend auto; ${ROUNDS} rounds of train (seed CNN, 1 epoch, 2,000 rows) + fine-tune (50 drawings, 2 passes) + submission (2,000 rows), then ${PREDICTIONS.toLocaleString('en-US')} pad predictions (every 10th explained).`,
    '',
    '| after | time (s) | live tensors | tensor MB | RSS MB | JS heap MB |',
    '| --- | --- | --- | --- | --- | --- |',
    ...samples.map((s) => `| ${s.after} | ${s.seconds.toFixed(0)} | ${s.tensors} | ${mb(s.tensorBytes)} | ${mb(s.rss)} | ${mb(s.heapUsed)} |`),
  ];
  const rounds = samples.filter((s) => s.after.startsWith('round'));
  const preds = samples.filter((s) => s.after.endsWith('predictions'));
  const spread = (xs: Sample[], key: 'tensors' | 'rss') => (xs.length ? `${Math.min(...xs.map((x) => x[key]))}–${Math.max(...xs.map((x) => x[key]))}` : 'n/a');
  lines.push('', `Live tensors after each round: ${spread(rounds, 'tensors')}; during predictions: ${spread(preds, 'tensors')}. RSS after round 2 → last round: ${mb(rounds[1]?.rss ?? 0)} → ${mb(rounds[rounds.length - 1]?.rss ?? 0)} MB; first → last 500 predictions: ${mb(preds[0]?.rss ?? 0)} → ${mb(preds[preds.length - 1]?.rss ?? 0)} MB.`);
  const file = path.join(ROOT, 'bench', 'SOAK.md');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '# Soak: one engine worker, many jobs\n\nWritten by `bench/soak.ts` (see its header). Each run is appended.\n');
  fs.appendFileSync(file, lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
