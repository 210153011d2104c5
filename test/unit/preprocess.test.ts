import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import {
  MNIST_PIXELS,
  centreOfMass,
  grayscaleFromRgba,
  inkBounds,
  inkFromGray,
  inkFromRgba,
  preprocess,
  resampleWeights,
  type InkRaster,
} from '../../src/shared/preprocess';
import { requireData, slice } from '../support/data';
import { correlation } from '../support/stats';

type Point = [number, number];

/** A "2"-like digit in unit coordinates (x right, y down), as one stroke. */
const TWO: Point[][] = [
  [
    [0.2, 0.25], [0.35, 0.08], [0.6, 0.05], [0.78, 0.2], [0.75, 0.42], [0.5, 0.65], [0.2, 0.95], [0.85, 0.95],
  ],
];
/** A "7" with a bar: two strokes. */
const SEVEN: Point[][] = [
  [[0.15, 0.1], [0.85, 0.1], [0.45, 0.95]],
  [[0.35, 0.52], [0.75, 0.52]],
];
/** A "1": one vertical stroke (tall, narrow bounding box). */
const ONE: Point[][] = [[[0.5, 0.05], [0.52, 0.95]]];

/**
 * Renders strokes like the pad's canvas does: round-capped lines of `lineWidth` px, anti-aliased
 * by distance to the nearest segment. `box` maps the unit square onto [x, y, size] in pixels.
 */
function render(width: number, height: number, strokes: Point[][], box: { x: number; y: number; size: number }, lineWidth: number): InkRaster {
  const data = new Float32Array(width * height);
  const r = lineWidth / 2;
  for (const stroke of strokes) {
    const pts = stroke.map(([u, v]) => [box.x + u * box.size, box.y + v * box.size] as Point);
    for (let s = 0; s < Math.max(1, pts.length - 1); s++) {
      const [ax, ay] = pts[s];
      const [bx, by] = pts[Math.min(s + 1, pts.length - 1)];
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + r + 1));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + r + 1));
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const px = x + 0.5;
          const py = y + 0.5;
          const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
          const d = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
          const cover = Math.max(0, Math.min(1, r + 0.5 - d)) * 255;
          const i = y * width + x;
          if (cover > data[i]) data[i] = cover;
        }
      }
    }
  }
  return { width, height, data };
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}


/** Checks the MNIST invariants and returns the result's pixels. */
function assertMnistLike(raster: InkRaster, what: string): Uint8Array {
  const { pixels, empty } = preprocess(raster);
  assert.equal(empty, false, `${what}: not empty`);
  assert.equal(pixels.length, MNIST_PIXELS);
  const box = inkBounds({ width: 28, height: 28, data: pixels })!;
  const side = Math.max(box.right - box.left, box.bottom - box.top);
  assert.ok(side >= 19 && side <= 21, `${what}: longest side ${side}, expected 20 ± 1`);
  assert.ok(box.left >= 0 && box.top >= 0 && box.right <= 28 && box.bottom <= 28);
  const com = centreOfMass(pixels, 28, 28)!;
  assert.ok(Math.abs(com.x - 14) <= 1 && Math.abs(com.y - 14) <= 1, `${what}: centre of mass (${com.x.toFixed(2)}, ${com.y.toFixed(2)})`);
  assert.equal(Math.max(...pixels), 255, `${what}: stretched to full contrast`);
  // Kaggle's train.csv digits carry 7,400–60,000 units of ink (mean ≈ 26,800).
  const ink = sum(pixels);
  assert.ok(ink > 5_000 && ink < 80_000, `${what}: total ink ${ink}`);
  return pixels;
}

describe('preprocess', () => {
  const reference = render(280, 280, TWO, { x: 40, y: 40, size: 200 }, 24);

  it('centres a normal drawing and fits it in 20×20', () => {
    assertMnistLike(reference, 'reference');
  });

  it('gives the same image for off-centre, tiny and huge drawings of the same digit', () => {
    const ref = preprocess(reference).pixels;
    const cases: Array<[string, InkRaster]> = [
      ['off-centre', render(280, 280, TWO, { x: 5, y: 150, size: 120 }, 14.4)],
      ['tiny', render(280, 280, TWO, { x: 200, y: 20, size: 30 }, 3.6)],
      ['huge', render(1000, 1000, TWO, { x: 30, y: 30, size: 940 }, 113)],
      ['non-square canvas', render(400, 150, TWO, { x: 300, y: 10, size: 120 }, 14.4)],
    ];
    for (const [what, raster] of cases) {
      const pixels = assertMnistLike(raster, what);
      const r = correlation(pixels, ref);
      assert.ok(r > 0.9, `${what}: correlation with the reference ${r.toFixed(3)}`);
      const ratio = sum(pixels) / sum(ref);
      assert.ok(ratio > 0.75 && ratio < 1.33, `${what}: total ink ratio ${ratio.toFixed(2)}`);
    }
  });

  it('handles thin and thick strokes', () => {
    assertMnistLike(render(280, 280, TWO, { x: 40, y: 40, size: 200 }, 1), 'thin');
    assertMnistLike(render(280, 280, TWO, { x: 40, y: 40, size: 200 }, 60), 'thick');
    assertMnistLike(render(280, 280, SEVEN, { x: 40, y: 40, size: 200 }, 24), 'seven');
  });

  it('keeps the aspect ratio of narrow and flat digits', () => {
    const one = preprocess(render(280, 280, ONE, { x: 40, y: 40, size: 200 }, 24)).pixels;
    const box = inkBounds({ width: 28, height: 28, data: one })!;
    assert.ok(box.bottom - box.top >= 19 && box.bottom - box.top <= 20);
    assert.ok(box.right - box.left <= 5, `a "1" stays narrow: ${box.right - box.left}px`);
    const com = centreOfMass(one, 28, 28)!;
    assert.ok(Math.abs(com.x - 14) <= 1 && Math.abs(com.y - 14) <= 1);

    const dash = preprocess(render(280, 280, [[[0.1, 0.5], [0.9, 0.5]]], { x: 0, y: 0, size: 280 }, 20)).pixels;
    const dbox = inkBounds({ width: 28, height: 28, data: dash })!;
    assert.ok(dbox.right - dbox.left >= 19 && dbox.right - dbox.left <= 20);
    assert.ok(dbox.bottom - dbox.top <= 4);
  });

  it('anti-aliases when shrinking (grey edges, not just 0 and 255)', () => {
    const { pixels } = preprocess(reference);
    const greys = [...pixels].filter((v) => v > 0 && v < 255).length;
    assert.ok(greys > 20, `${greys} grey pixels`);
  });

  it('returns zeros and empty for a blank drawing', () => {
    for (const raster of [
      { width: 280, height: 280, data: new Uint8ClampedArray(280 * 280) },
      { width: 0, height: 0, data: new Float32Array(0) },
      { width: 10, height: 10, data: new Float32Array(100).fill(3) },
    ]) {
      const r = preprocess(raster, { threshold: 5 });
      assert.equal(r.empty, true);
      assert.equal(r.pixels.length, 784);
      assert.equal(sum(r.pixels), 0);
    }
    assert.equal(preprocess({ width: 5, height: 5, data: new Uint8Array(25) }).empty, true);
  });

  it('accepts Uint8ClampedArray input, clamps out-of-range values and rejects a short buffer', () => {
    const data = new Uint8ClampedArray(reference.data as Float32Array);
    assert.deepEqual(preprocess({ width: 280, height: 280, data }).pixels.length, 784);
    const single = new Float32Array(9);
    single[4] = 1000;
    const r = preprocess({ width: 3, height: 3, data: single });
    assert.equal(r.empty, false);
    assert.equal(Math.max(...r.pixels), 255);
    assert.equal(r.pixels.filter((v) => v > 0).length, 400, 'a single dot fills the 20×20 box');
    assert.throws(() => preprocess({ width: 10, height: 10, data: new Uint8Array(50) }), RangeError);
  });

  it('resampling weights sum to 1', () => {
    for (const [src, dst] of [[280, 20], [7, 20], [20, 20], [1, 20], [33, 7]]) {
      for (const taps of resampleWeights(src, dst)) {
        assert.ok(Math.abs(sum(taps.map(([, w]) => w)) - 1) < 1e-9);
        for (const [j] of taps) assert.ok(j >= 0 && j < src);
      }
    }
  });

  describe('on real MNIST digits', () => {
    it('an upscaled (×10) train.csv digit comes back close to the original', async function () {
      const dir = requireData(this);
      const file = await slice(dir, 'train.csv', 50);
      const rows = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
      const correlations: number[] = [];
      for (const row of rows) {
        const original = row.split(',').slice(1).map(Number);
        const big = new Uint8ClampedArray(280 * 280);
        for (let y = 0; y < 280; y++) for (let x = 0; x < 280; x++) big[y * 280 + x] = original[Math.floor(y / 10) * 28 + Math.floor(x / 10)];
        const { pixels, empty } = preprocess({ width: 280, height: 280, data: big });
        assert.equal(empty, false);
        correlations.push(correlation(pixels, original));
      }
      const worst = Math.min(...correlations);
      const mean = sum(correlations) / correlations.length;
      // MNIST digits already fit 20×20 with the centre of mass on (14, 14): the round trip is
      // nearly exact (measured: 455 of the first 500 rows come back byte for byte).
      assert.ok(worst > 0.98, `worst correlation ${worst.toFixed(3)}`);
      assert.ok(mean > 0.995, `mean correlation ${mean.toFixed(4)}`);
    });
  });
});

describe('image import helpers', () => {
  it('grayscale from RGBA composites alpha over the background', () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 128]);
    const g = grayscaleFromRgba(rgba, 3, 1);
    assert.ok(Math.abs(g[0] - 0.299 * 255) < 1e-3);
    assert.equal(g[1], 255);
    assert.ok(Math.abs(g[2] - 255) < 1e-3);
    assert.equal(grayscaleFromRgba(rgba, 3, 1, 0)[1], 0);
  });

  it('auto-inverts dark ink on paper and leaves light ink on black alone', () => {
    const ink = render(60, 60, TWO, { x: 10, y: 10, size: 40 }, 5).data as Float32Array;
    const paper = Float32Array.from(ink, (v) => 230 - (v * 200) / 255); // dark grey on light grey paper
    const fromPaper = inkFromGray(paper, 60, 60);
    assert.equal(fromPaper.inverted, true);
    assert.ok(correlation(fromPaper.raster.data, ink) > 0.99);
    assert.equal(Math.max(...(fromPaper.raster.data as Float32Array)), 255);
    assert.equal(fromPaper.raster.data[0], 0);

    const fromDark = inkFromGray(ink, 60, 60);
    assert.equal(fromDark.inverted, false);
    assert.ok(correlation(fromDark.raster.data, ink) > 0.99);
  });

  it('reads a transparent PNG-like picture whatever the ink colour', () => {
    const ink = render(40, 40, SEVEN, { x: 5, y: 5, size: 30 }, 4).data as Float32Array;
    for (const colour of [0, 255]) {
      const rgba = new Uint8ClampedArray(40 * 40 * 4);
      for (let i = 0; i < ink.length; i++) rgba.set([colour, colour, colour, ink[i]], i * 4);
      const { raster } = inkFromRgba(rgba, 40, 40);
      assert.ok(correlation(raster.data, ink) > 0.99, `ink colour ${colour}`);
      assert.equal(preprocess(raster).empty, false);
    }
    const blank = inkFromRgba(new Uint8ClampedArray(16 * 4).fill(255), 4, 4);
    assert.equal(preprocess(blank.raster).empty, true);
  });
});
