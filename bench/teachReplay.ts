// Per-writer teaching benchmark for the memory of kept drawings (src/engine/inference/handMemory.ts):
// for each UNIPEN writer (../shared/data/unipen-dev/digits.json, read in place; the sources that
// hold no digits left out), each of their drawings is read by the model alone and by the model
// with a memory of up to n of the writer's *other* drawings of each digit (n = 1, 2, 5), as if the
// writer had kept those on the pad. Leave-one-out, so every drawing of a writer with two or more
// is read once per n. Drawings are replayed onto the pad (centre, 60% of its side) and turned into
// the model's 28×28 by the pad's own strokesToMnist. Paired: mistakes as counts, fixed / broken,
// McNemar's exact p. Which drawings are taught is a seeded shuffle of the writer's own. Also the
// cost, side by side in one process: one pad prediction with a memory of 500 kept drawings
// against the model alone, building that memory, and building it again after one more drawing
// is kept (what the worker does when the samples file changes: only the new row is embedded).
//
// With --hand personal, the writer is instead the e2e tests' synthetic hand (test/e2e/personalStrokes.ts:
// a 1 with a flag and a foot, a 9 like an "a", …, each drawing a seeded variation): drawings 0…n−1
// of each digit are kept, drawings 100…119 read, as the pad e2e test teaches and measures.
//
//   npx tsx bench/teachReplay.ts --model DIR [--writers test|train|all] [--seed S]
//   … --hand personal    the e2e tests' synthetic writer instead of UNIPEN's
//   … --size 0.6         the digit's longer side as a fraction of the pad's (default 60%)
//   … --tune            grid over k, temperature and the weight rule (use with --writers train)
//   … --k 5 --temperature 0.05 --from 0.7 --to 0.9 --max-weight 0.9    other recall options
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../src/engine/kernels/backend';
import { loadAnyModel } from '../src/engine/model/loadModel';
import { disposeModel } from '../src/engine/model/architectures';
import { argMax, predictOne } from '../src/engine/inference/predict';
import { RECALL_OPTIONS, buildHandMemory, embedImages, predictWithMemory, recall, type HandMemory, type RecallOptions } from '../src/engine/inference/handMemory';
import { strokesToMnist } from '../src/webview/pad/strokes';
import { isDigit, readPenDigits, replayOnPad, writerSplit } from '../test/support/unipen';
import { personalDigit } from '../test/e2e/personalStrokes';
import { mcnemarP } from './mcnemar';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const TEACH = [1, 2, 5];
const SIZE = Number(arg('size') ?? 0.6);

/** A seeded shuffle (mulberry32), so the taught drawings are the same in every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Read {
  n: number;
  index: number;
  /** How many drawings of the query's own digit were taught. */
  ownTaught: number;
  model: number;
  memory: number;
}

/** Median times (ms) of one prediction with and without a memory of up to 500 drawings, interleaved, and of building it. */
async function measureCost(model: Parameters<typeof predictOne>[0], pixels: Uint8Array, labels: Uint8Array, pixelScale?: 'unit' | 'byte') {
  const kept = Math.min(500, labels.length);
  const keys = Array.from({ length: kept }, (_, i) => i.toString(16).padStart(8, '0'));
  let t = performance.now();
  const before = await buildHandMemory(model, { count: kept - 1, pixels, labels, keys: keys.slice(0, kept - 1) }, pixelScale);
  const build = performance.now() - t;
  t = performance.now();
  const memory = await buildHandMemory(model, { count: kept, pixels, labels, keys }, pixelScale, before);
  const oneMore = performance.now() - t;
  const alone: number[] = [];
  const remembered: number[] = [];
  for (let i = 0; i < 60; i++) {
    const image = pixels.subarray(i * 784, (i + 1) * 784);
    t = performance.now();
    await predictOne(model, image, pixelScale);
    if (i >= 10) alone.push(performance.now() - t);
    t = performance.now();
    await predictWithMemory(model, memory, image, pixelScale);
    if (i >= 10) remembered.push(performance.now() - t);
  }
  const median = (v: number[]) => v.slice().sort((a, b) => a - b)[v.length >> 1];
  return { kept, build, oneMore, alone: median(alone), remembered: median(remembered) };
}

/** The personal hand's drawing as the pad records it: whole pixels of a 400-px pad, flat [x0, y0, …]. */
function personalOnPad(digit: number, k: number): number[][] {
  return personalDigit(digit, k).map((stroke) => stroke.flatMap(([x, y]) => [Math.round(x * 400) / 400, Math.round(y * 400) / 400]));
}

/** Keep personal drawings 0…n−1 of each digit, read drawings 100…119: the model alone and with the memory. */
async function personalHand(modelDir: string, options: RecallOptions): Promise<void> {
  const reads = 20;
  const { model, metadata } = await loadAnyModel(path.resolve(modelDir));
  const kept = 5;
  const ks = [...Array.from({ length: kept }, (_, k) => k), ...Array.from({ length: reads }, (_, k) => 100 + k)];
  const labels = Uint8Array.from(ks.flatMap(() => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const pixels = new Uint8Array(labels.length * 784);
  ks.forEach((k, i) => {
    for (let digit = 0; digit < 10; digit++) pixels.set(strokesToMnist(personalOnPad(digit, k)).pixels, (i * 10 + digit) * 784);
  });
  const embedded = await embedImages(model, { count: labels.length, pixels }, metadata?.pixelScale);
  disposeModel(model);
  if (!embedded) throw new Error(`${modelDir}: the model has no Dense layer, so no memory`);
  const memory: HandMemory = { count: labels.length, dim: embedded.dim, embeddings: embedded.embeddings, labels };
  console.log(`# Teaching replay, the e2e tests' personal hand (test/e2e/personalStrokes.ts): keep drawings 0…n−1 of each digit, read drawings 100…${100 + reads - 1}; ${new Date().toISOString()}`);
  console.log(`model: ${path.resolve(modelDir)} (${metadata?.name ?? '?'}); load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}; recall: ${JSON.stringify(options)}\n`);
  console.log('| kept per digit | reads | model alone: wrong | with the memory: wrong | fixed | broken | p (McNemar) | misread with the memory |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const n of TEACH) {
    let a = 0;
    let b = 0;
    let fixed = 0;
    let broken = 0;
    const misread: string[] = [];
    for (let i = kept * 10; i < labels.length; i++) {
      const own = argMax(embedded.probabilities.subarray(i * 10, i * 10 + 10));
      const answer = recall(memory, embedded.embeddings.subarray(i * embedded.dim, (i + 1) * embedded.dim), embedded.probabilities.subarray(i * 10, i * 10 + 10), options, (j) => j < n * 10);
      const wa = own !== labels[i];
      const wb = answer.label !== labels[i];
      a += +wa;
      b += +wb;
      fixed += +(wa && !wb);
      broken += +(!wa && wb);
      if (wb) misread.push(`${labels[i]}→${answer.label}`);
    }
    const total = labels.length - kept * 10;
    console.log(`| ${n} | ${total} | ${a} | ${b} | ${fixed} | ${broken} | ${mcnemarP(fixed, broken).toPrecision(2)} | ${misread.join(' ') || 'none'} |`);
  }
}

(async () => {
  const modelDir = arg('model');
  if (!modelDir) throw new Error('usage: teachReplay.ts --model DIR [--writers test|train|all] [--seed S] [--tune]');
  const writers = arg('writers') ?? 'test';
  if (!['test', 'train', 'all'].includes(writers)) throw new Error(`--writers must be test, train or all (got ${writers})`);
  const seed = Number(arg('seed') ?? 1);
  const options: RecallOptions = {
    k: Number(arg('k') ?? RECALL_OPTIONS.k),
    temperature: Number(arg('temperature') ?? RECALL_OPTIONS.temperature),
    from: Number(arg('from') ?? RECALL_OPTIONS.from),
    to: Number(arg('to') ?? RECALL_OPTIONS.to),
    maxWeight: Number(arg('max-weight') ?? RECALL_OPTIONS.maxWeight),
  };

  if (arg('hand') === 'personal') {
    await initBackend('wasm');
    return personalHand(modelDir, options);
  }

  const digits = readPenDigits()
    .filter(isDigit)
    .filter((d) => writers === 'all' || writerSplit(d.writer) === writers);
  const byWriter = new Map<string, number[]>();
  digits.forEach((d, i) => byWriter.set(d.writer, [...(byWriter.get(d.writer) ?? []), i]));
  const taughtWriters = [...byWriter.values()].filter((list) => list.length >= 2);

  const backend = await initBackend('wasm');
  const { model, metadata } = await loadAnyModel(path.resolve(modelDir));
  const pixels = new Uint8Array(digits.length * 784);
  digits.forEach((d, i) => pixels.set(strokesToMnist(replayOnPad(d, { size: SIZE, at: [0.5, 0.5], padPixels: 400 })).pixels, i * 784));
  const embedded = await embedImages(model, { count: digits.length, pixels }, metadata?.pixelScale);
  const cost = await measureCost(model, pixels, Uint8Array.from(digits, (d) => d.label), metadata?.pixelScale);
  disposeModel(model);
  if (!embedded) throw new Error(`${modelDir}: the model has no Dense layer, so no memory`);
  const labels = Uint8Array.from(digits, (d) => d.label);
  const memory: HandMemory = { count: digits.length, dim: embedded.dim, embeddings: embedded.embeddings, labels };
  const probs = (i: number) => embedded.probabilities.subarray(i * 10, (i + 1) * 10);
  const emb = (i: number) => embedded.embeddings.subarray(i * embedded.dim, (i + 1) * embedded.dim);

  /** Every leave-one-out read of every writer for each n, with `recallOptions`. */
  const readAll = (recallOptions: RecallOptions): Read[] => {
    const reads: Read[] = [];
    for (const list of taughtWriters) {
      const order = shuffled(list, seed);
      for (const query of list) {
        for (const n of TEACH) {
          const taught = new Set<number>();
          const perDigit = new Array<number>(10).fill(0);
          for (const i of order) {
            if (i === query || perDigit[labels[i]] >= n) continue;
            perDigit[labels[i]]++;
            taught.add(i);
          }
          const answer = recall(memory, emb(query), probs(query), recallOptions, (i) => taught.has(i));
          reads.push({ n, index: query, ownTaught: perDigit[labels[query]], model: argMax(probs(query)), memory: answer.label });
        }
      }
    }
    return reads;
  };
  const wrong = (reads: Read[], key: 'model' | 'memory') => reads.filter((r) => r[key] !== labels[r.index]).length;

  const pct = (r: number, n: number) => `${((100 * r) / n).toFixed(1)}%`;
  console.log(`# Teaching replay: ${digits.length} UNIPEN pen digits of ${byWriter.size} writers (${writers} writers of the split), ${taughtWriters.length} writers with 2 or more; ${new Date().toISOString()}`);
  console.log(`model: ${path.resolve(modelDir)} (${metadata?.name ?? '?'}, validation ${metadata?.final?.valAccuracy !== undefined ? pct(metadata.final.valAccuracy, 1) : '?'}); embedding ${embedded.dim} values; backend ${backend.name}; load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`drawings: the pad's strokesToMnist, centre, ${SIZE * 100}% of a 400-px pad; taught drawings: seed ${seed}`);
  console.log(`cost: one prediction, median of 50: model alone ${cost.alone.toFixed(2)} ms, with a memory of ${cost.kept} kept drawings ${cost.remembered.toFixed(2)} ms (×${(cost.remembered / cost.alone).toFixed(2)}); building a memory of ${cost.kept - 1} ${cost.build.toFixed(0)} ms, then keeping one more ${cost.oneMore.toFixed(1)} ms\n`);

  if (process.argv.includes('--tune')) {
    const grid: RecallOptions[] = [];
    for (const k of [1, 3, 5, 10]) for (const temperature of [0.02, 0.05, 0.1, 0.3]) for (const [from, to] of [[0.5, 0.8], [0.6, 0.85], [0.7, 0.9], [0.8, 0.95], [0.6, 0.7], [0.7, 0.8]]) for (const maxWeight of [0.5, 0.7, 0.9, 1]) grid.push({ k, temperature, from, to, maxWeight });
    const scored = grid.map((o) => {
      const reads = readAll(o);
      return { o, wrong: wrong(reads, 'memory'), byN: TEACH.map((n) => wrong(reads.filter((r) => r.n === n), 'memory')) };
    });
    scored.sort((a, b) => a.wrong - b.wrong);
    const base = readAll(options);
    console.log(`model alone, mistakes for n = ${TEACH.join(', ')}: ${TEACH.map((n) => wrong(base.filter((r) => r.n === n), 'model')).join(', ')} of ${base.length / TEACH.length} reads each`);
    for (const s of scored.slice(0, 15)) console.log(`${JSON.stringify(s.o)} mistakes ${s.wrong} (${s.byN.join(', ')})`);
    return;
  }

  console.log(`recall: ${JSON.stringify(options)}\n`);
  const reads = readAll(options);
  console.log('| taught per digit | reads | model alone: wrong | with the memory: wrong | fixed | broken | p (McNemar) | read right, with the memory |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const row = (title: string, here: Read[]) => {
    const fixed = here.filter((r) => r.model !== labels[r.index] && r.memory === labels[r.index]).length;
    const broken = here.filter((r) => r.model === labels[r.index] && r.memory !== labels[r.index]).length;
    const a = wrong(here, 'model');
    const b = wrong(here, 'memory');
    console.log(`| ${title} | ${here.length} | ${a} (${pct(a, here.length)}) | ${b} (${pct(b, here.length)}) | ${fixed} | ${broken} | ${mcnemarP(fixed, broken).toPrecision(2)} | ${pct(here.length - b, here.length)} |`);
  };
  for (const n of TEACH) row(`up to ${n}`, reads.filter((r) => r.n === n));
  // With n = 5 every other drawing of a digit the writer has (never more than 5 here) is taught: each drawing is read once.
  const last = reads.filter((r) => r.n === TEACH[TEACH.length - 1]);
  console.log(`\nBy how many drawings of the read digit itself were taught (n = ${TEACH[TEACH.length - 1]}; each drawing read once):\n`);
  console.log('| taught of that digit | reads | model alone: wrong | with the memory: wrong | fixed | broken | p (McNemar) | read right, with the memory |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const most = Math.max(...last.map((r) => r.ownTaught));
  for (let t = 0; t <= most; t++) {
    const here = last.filter((r) => r.ownTaught === t);
    if (here.length) row(String(t), here);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
