// Real pen digits replayed through the Digit Pad's own code, as a user would draw them: UNIPEN's
// 2,092 pen-drawn digits of 318 writers (../shared/data/unipen-dev/digits.json) placed on the pad
// at several sizes (the digit's longer side 30%, 60%, 90% of the pad's) and positions (centre and
// the four corners), sampled as the pad samples a mouse (whole pixels of a 400-px pad, its
// MIN_STEP), turned into the model's 28×28 by the pad's strokesToMnist (webview/pad/strokes.ts),
// and read by a model as the engine reads a drawing. Four of the file's sources hold no digits
// (letters, fragments, words, dots: test/support/unipen.ts NOT_DIGITS): their 325 entries are
// left out unless --all-sources. Reports, per size and per digit, the digits
// read right (counts), and the confusions; with --name the per-drawing answers are kept
// (bench/results/tmp, git-ignored: derived from the data) for a paired comparison (--compare).
//
//   npx tsx bench/padReplay.ts --model DIR                   the pad as it is (its model input)
//   … --input brush                                          the pad's input before issue 27 (its canvas brush, cropped: test/support/rasterize.ts)
//   … --pen-width W --deskew                                 the pen image with other options (experiments; not the pad's)
//   … --tta W1,W2,…:D1,D2,…                                   each drawing read as pen widths × turns (degrees), probabilities averaged (an experiment)
//   … --sizes 0.3,0.6,0.9 --every K --limit N --writers test|train|all --all-sources
//   … --name NAME [--compare OTHER]                          keep the answers; McNemar against a kept run on the same drawings
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../src/engine/kernels/backend';
import { loadAnyModel } from '../src/engine/model/loadModel';
import { predictImages, predictOne } from '../src/engine/inference/predict';
import { disposeModel } from '../src/engine/model/architectures';
import { strokesToMnist } from '../src/webview/pad/strokes';
import { strokesToImage } from '../src/shared/penImage';
import { brushStrokesToMnist } from '../test/support/rasterize';
import { NOT_DIGITS, isDigit, readPenDigits, replayOnPad, writerSplit, type PenDigit } from '../test/support/unipen';
import { mcnemarP } from './mcnemar';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const flag = (name: string) => process.argv.includes(`--${name}`);

/** The strokes turned by `degrees` about their box's centre. */
function rotated(strokes: number[][], degrees: number): number[][] {
  if (degrees === 0) return strokes;
  const all = strokes.flat();
  const xs = all.filter((_, i) => i % 2 === 0);
  const ys = all.filter((_, i) => i % 2 === 1);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const [c, s] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
  return strokes.map((st) => st.map((v, i) => (i % 2 === 0 ? cx + (v - cx) * c - (st[i + 1] - cy) * s : cy + (st[i - 1] - cx) * s + (v - cy) * c)));
}

/** Where the digit's box sits in the room left on the pad: centre, then the four corners (5% in). */
const POSITIONS: Array<{ name: string; at: [number, number] }> = [
  { name: 'centre', at: [0.5, 0.5] },
  { name: 'top left', at: [0.05, 0.05] },
  { name: 'top right', at: [0.95, 0.05] },
  { name: 'bottom left', at: [0.05, 0.95] },
  { name: 'bottom right', at: [0.95, 0.95] },
];
const PAD_PIXELS = 400;

interface Case {
  digit: number;
  size: number;
  position: number;
}

interface Kept {
  model: string;
  input: string;
  cases: Case[];
  predicted: number[];
}

const resultsDir = path.join(__dirname, 'results', 'tmp');

(async () => {
  const modelDir = arg('model');
  if (!modelDir) throw new Error('usage: padReplay.ts --model DIR [--input pad|brush] [--pen-width W] [--deskew] [--sizes 0.3,0.6,0.9] [--every K] [--limit N] [--writers test|train|all] [--name NAME] [--compare OTHER]');
  const input = arg('input') ?? 'pad';
  if (input !== 'pad' && input !== 'brush') throw new Error(`--input must be pad or brush (got ${input})`);
  const penWidth = arg('pen-width') === undefined ? undefined : Number(arg('pen-width'));
  const deskew = flag('deskew');
  const experiment = penWidth !== undefined || deskew;
  if (experiment && input !== 'pad') throw new Error('--pen-width and --deskew are options of the pen image (--input pad)');
  // --tta W1,W2,…:D1,D2,…  test-time variants (an experiment): pen widths × rotations in degrees, probabilities averaged.
  const tta = (() => {
    const spec = arg('tta');
    if (!spec) return [];
    const [widths, degrees = '0'] = spec.split(':');
    return widths.split(',').map(Number).flatMap((penWidth) => degrees.split(',').map((d) => ({ penWidth, degrees: Number(d) })));
  })();
  if (tta.length > 0 && (input !== 'pad' || experiment)) throw new Error('--tta reads pen images of its own widths: not with --input brush, --pen-width or --deskew');
  const sizes = (arg('sizes') ?? '0.3,0.6,0.9').split(',').map(Number);
  const every = Number(arg('every') ?? 1);
  const writers = arg('writers') ?? 'all';
  if (!['test', 'train', 'all'].includes(writers)) throw new Error(`--writers must be test, train or all (got ${writers})`);

  const all = readPenDigits();
  let digits: PenDigit[] = flag('all-sources') ? all : all.filter(isDigit);
  const notDigits = all.length - digits.length;
  if (writers !== 'all') digits = digits.filter((d) => writerSplit(d.writer) === writers);
  digits = digits.slice(0, Number(arg('limit') ?? digits.length));

  const toImage = (strokes: number[][]): Uint8Array =>
    input === 'brush' ? brushStrokesToMnist(strokes) : experiment ? strokesToImage(strokes, { penWidth, deskew }).pixels : strokesToMnist(strokes).pixels;
  const describeInput =
    input === 'brush'
      ? 'the pad before issue 27: canvas brush 1/11 of the side, cropped, fitted to 20×20, centred (Node mirror of the canvas)'
      : tta.length > 0
        ? `pen images at widths × turns ${arg('tta')}, probabilities averaged (an experiment, not the pad's)`
        : experiment
        ? `pen image, pen width ${penWidth ?? 'default'} px${deskew ? ', deskewed' : ''} (an experiment, not the pad's settings)`
        : "the pad's strokesToMnist (pen image)";

  const backend = await initBackend('wasm');
  const { model, metadata } = await loadAnyModel(path.resolve(modelDir));
  const cases: Case[] = [];
  // The replayed strokes of each case, kept for --tta's other pen images.
  const replayed: number[][][] = [];
  const pixels = new Uint8Array(digits.length * sizes.length * POSITIONS.length * 784);
  const imageMs: number[] = [];
  digits.forEach((d, di) => {
    sizes.forEach((size, si) => {
      POSITIONS.forEach((p, pi) => {
        const strokes = replayOnPad(d, { size, at: p.at, padPixels: PAD_PIXELS, every });
        if (tta.length > 0) replayed.push(strokes);
        const t = performance.now();
        const image = toImage(strokes);
        imageMs.push(performance.now() - t);
        pixels.set(image, cases.length * 784);
        cases.push({ digit: di, size: si, position: pi });
      });
    });
  });
  let predicted: number[];
  if (tta.length === 0) {
    const predictions = await predictImages(model, { count: cases.length, pixels, labels: null }, { pixelScale: metadata?.pixelScale, threads: 1 });
    predicted = Array.from(predictions.labels);
  } else {
    // Test-time variants: each drawing read as several pen images, the probabilities averaged.
    const sum = new Float32Array(cases.length * 10);
    for (const variant of tta) {
      const images = new Uint8Array(cases.length * 784);
      replayed.forEach((strokes, i) => images.set(strokesToImage(rotated(strokes, variant.degrees), { penWidth: variant.penWidth }).pixels, i * 784));
      const { probabilities } = await predictImages(model, { count: cases.length, pixels: images, labels: null }, { pixelScale: metadata?.pixelScale, threads: 1 });
      for (let i = 0; i < sum.length; i++) sum[i] += probabilities[i];
    }
    predicted = cases.map((_, i) => {
      let best = 0;
      for (let k = 1; k < 10; k++) if (sum[i * 10 + k] > sum[i * 10 + best]) best = k;
      return best;
    });
  }
  const oneMs: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    await predictOne(model, pixels.subarray(i * 784, (i + 1) * 784), metadata?.pixelScale);
    if (i >= 10) oneMs.push(performance.now() - t);
  }
  disposeModel(model);

  const median = (v: number[]) => v.slice().sort((a, b) => a - b)[v.length >> 1];
  const pct = (r: number, n: number) => `${((100 * r) / n).toFixed(1)}%`;
  const writerCount = new Set(digits.map((d) => d.writer)).size;
  console.log(`# Pad replay: ${digits.length} UNIPEN pen digits (${writerCount} writers${writers === 'all' ? '' : `, ${writers} writers of the split`}), ${new Date().toISOString()}`);
  if (notDigits) console.log(`left out: ${notDigits} entries of the sources that hold no digits (${Object.entries(NOT_DIGITS).map(([k, v]) => `${k}: ${v}`).join('; ')})`);
  console.log(`model: ${path.resolve(modelDir)} (${metadata?.name ?? '?'}, validation ${metadata?.final?.valAccuracy !== undefined ? pct(metadata.final.valAccuracy, 1) : '?'})`);
  console.log(`input: ${describeInput}; ${PAD_PIXELS}-px pad, every ${every === 1 ? 'sampled point' : `${every}th sampled point`}; backend ${backend.name}; load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`model input per drawing: median ${median(imageMs).toFixed(2)} ms; one prediction: median ${median(oneMs).toFixed(2)} ms\n`);

  const right = (c: Case, i: number) => predicted[i] === digits[c.digit].label;
  console.log(`| size | read right | ${POSITIONS.map((p) => p.name).join(' | ')} |`);
  console.log(`| --- | --- |${POSITIONS.map(() => ' --- |').join('')}`);
  sizes.forEach((size, si) => {
    const here = cases.map((c, i) => [c, i] as const).filter(([c]) => c.size === si);
    const ok = here.filter(([c, i]) => right(c, i)).length;
    const perPosition = POSITIONS.map((_, pi) => {
      const at = here.filter(([c]) => c.position === pi);
      return `${at.filter(([c, i]) => right(c, i)).length}/${at.length}`;
    });
    console.log(`| ${Math.round(size * 100)}% | **${ok}/${here.length} (${pct(ok, here.length)})** | ${perPosition.join(' | ')} |`);
  });

  console.log(`\nPer digit (all positions):\n`);
  console.log(`| digit | ${sizes.map((s) => `${Math.round(s * 100)}%`).join(' | ')} |`);
  console.log(`| --- |${sizes.map(() => ' --- |').join('')}`);
  for (let label = 0; label <= 9; label++) {
    const cells = sizes.map((_, si) => {
      const here = cases.map((c, i) => [c, i] as const).filter(([c]) => c.size === si && digits[c.digit].label === label);
      const ok = here.filter(([c, i]) => right(c, i)).length;
      return `${ok}/${here.length} (${pct(ok, here.length)})`;
    });
    console.log(`| ${label} | ${cells.join(' | ')} |`);
  }

  console.log(`\nMisreads (true → read ×count), most common first:\n`);
  sizes.forEach((size, si) => {
    const counts = new Map<string, number>();
    cases.forEach((c, i) => {
      if (c.size !== si || right(c, i)) return;
      const key = `${digits[c.digit].label}→${predicted[i]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
    const list = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`);
    console.log(`- ${Math.round(size * 100)}%: ${list.join(', ') || 'none'}`);
  });

  const name = arg('name');
  if (name) {
    fs.mkdirSync(resultsDir, { recursive: true });
    const kept: Kept = { model: path.resolve(modelDir), input: describeInput, cases, predicted };
    fs.writeFileSync(path.join(resultsDir, `pad-${name}.json`), JSON.stringify(kept));
  }
  const other = arg('compare');
  if (other) {
    const them = JSON.parse(fs.readFileSync(path.join(resultsDir, `pad-${other}.json`), 'utf8')) as Kept;
    if (them.cases.length !== cases.length || them.cases.some((c, i) => c.digit !== cases[i].digit || c.size !== cases[i].size || c.position !== cases[i].position)) {
      throw new Error(`--compare ${other}: that run replayed other drawings`);
    }
    console.log(`\nPaired with "${other}" (${them.input}; ${them.model}), the same drawings:\n`);
    console.log(`| size | ${other}: wrong | this: wrong | fixed (wrong only there) | broken (wrong only here) | p (McNemar) |`);
    console.log('| --- | --- | --- | --- | --- | --- |');
    sizes.forEach((size, si) => {
      let a = 0;
      let b = 0;
      let fixed = 0;
      let broken = 0;
      cases.forEach((c, i) => {
        if (c.size !== si) return;
        const label = digits[c.digit].label;
        const wa = them.predicted[i] !== label;
        const wb = predicted[i] !== label;
        a += +wa;
        b += +wb;
        fixed += +(wa && !wb);
        broken += +(!wa && wb);
      });
      console.log(`| ${Math.round(size * 100)}% | ${a} | ${b} | ${fixed} | ${broken} | ${mcnemarP(fixed, broken).toPrecision(2)} |`);
    });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
