import * as assert from 'node:assert/strict';
import { MNIST_PIXELS, centreOfMass, inkBounds } from '../../src/shared/preprocess';
import { PEN_WIDTH, smoothPath, strokesToImage } from '../../src/shared/penImage';
import { RASTER_SIDE, strokesToMnist } from '../../src/webview/pad/strokes';
import { readDigitCsv } from '../../src/engine/data/csv';
import { DIGIT_STROKES, type Stroke } from '../e2e/digitStrokes';
import { brushStrokesToMnist } from '../support/rasterize';
import { requireData, slice } from '../support/data';

/** [x, y] strokes as the pad keeps them (flat), drawn at `size` of the pad with their box's corner at (x, y). */
function placed(strokes: Stroke[], size: number, x: number, y: number): number[][] {
  return strokes.map((s) => s.flatMap(([u, v]) => [x + u * size, y + v * size]));
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function total(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

const VERTICAL = [[0.5, 0.1, 0.5, 0.9]];

describe('strokesToImage (the pen image the pad sends to the model)', () => {
  it('gives the same image whatever size and position the digit is drawn at', () => {
    for (let digit = 0; digit <= 9; digit++) {
      const reference = strokesToImage(placed(DIGIT_STROKES[digit], 1, 0, 0)).pixels;
      for (const [size, x, y] of [[0.3, 0.02, 0.6], [0.6, 0.2, 0.2], [0.9, 0.05, 0.01], [0.05, 0.9, 0.9]]) {
        const pixels = strokesToImage(placed(DIGIT_STROKES[digit], size, x, y)).pixels;
        assert.ok(maxDifference(pixels, reference) <= 1, `digit ${digit} at ${size} of the pad, (${x}, ${y}): differs by ${maxDifference(pixels, reference)} levels`);
      }
    }
  });

  it('draws the pen at a width fixed relative to the digit, as MNIST, not to the canvas (which the brush did)', () => {
    // A vertical stroke: every row through its middle carries the pen's width in ink (coverage).
    const rowInk = (pixels: Uint8Array) => total(pixels.subarray(14 * 28, 15 * 28)) / 255;
    for (const size of [0.2, 0.5, 1]) {
      const line = VERTICAL.map((s) => s.map((v) => v * size));
      const width = rowInk(strokesToImage(line).pixels);
      assert.ok(Math.abs(width - PEN_WIDTH) < 0.05, `drawn at ${size}: ${width.toFixed(2)} px of ink across, expected ${PEN_WIDTH}`);
      assert.ok(Math.abs(rowInk(strokesToImage(line, { penWidth: 3.5 }).pixels) - 3.5) < 0.05);
    }
    // The brush path, for contrast: the same digit drawn small came out about three times as thick.
    const small = total(brushStrokesToMnist(placed(DIGIT_STROKES[3], 0.3, 0.35, 0.35)));
    const large = total(brushStrokesToMnist(placed(DIGIT_STROKES[3], 0.9, 0.05, 0.05)));
    assert.ok(small > 1.8 * large, `brush: ink ${small} drawn small, ${large} drawn large`);
  });

  it("fits the ink's box to 20×20 keeping the aspect ratio, centres the mass at (14, 14), and anti-aliases", () => {
    for (let digit = 0; digit <= 9; digit++) {
      const { pixels, empty } = strokesToImage(placed(DIGIT_STROKES[digit], 0.6, 0.2, 0.2));
      assert.equal(empty, false);
      assert.equal(pixels.length, MNIST_PIXELS);
      const box = inkBounds({ width: 28, height: 28, data: pixels })!;
      const side = Math.max(box.right - box.left, box.bottom - box.top);
      assert.ok(side >= 20 && side <= 21, `digit ${digit}: longer side ${side} px`);
      const com = centreOfMass(pixels, 28, 28)!;
      // On (14, 14) unless that would push ink out of the frame (a top-heavy 7: then as close as it fits).
      assert.ok(Math.abs(com.x - 14) < 1 && Math.abs(com.y - 14) < 1, `digit ${digit}: centre of mass (${com.x.toFixed(2)}, ${com.y.toFixed(2)})`);
      const centred = Math.abs(com.x - 14) < 0.15 && Math.abs(com.y - 14) < 0.15;
      assert.ok(centred || box.left === 0 || box.top === 0 || box.right === 28 || box.bottom === 28, `digit ${digit}: off centre without touching the frame`);
      assert.equal(Math.max(...pixels), 255);
      assert.ok(pixels.filter((v) => v > 0 && v < 255).length > 20, `digit ${digit}: grey edges`);
    }
    const one = inkBounds({ width: 28, height: 28, data: strokesToImage(VERTICAL).pixels })!;
    assert.ok(one.right - one.left <= 4, `a "1" stays narrow: ${one.right - one.left} px`);
  });

  it('carries as much ink per digit as MNIST does (same pen width in the 20-px box)', async function () {
    const data = requireData(this);
    const mnist = await readDigitCsv(await slice(data, 'train.csv', 3000), { expect: 'train' });
    const mass = new Array<number>(10).fill(0);
    const count = new Array<number>(10).fill(0);
    for (let i = 0; i < mnist.count; i++) {
      mass[mnist.labels![i]] += total(mnist.pixels.subarray(i * 784, (i + 1) * 784));
      count[mnist.labels![i]]++;
    }
    for (let digit = 0; digit <= 9; digit++) {
      const ratio = total(strokesToImage(placed(DIGIT_STROKES[digit], 0.6, 0.2, 0.2)).pixels) / (mass[digit] / count[digit]);
      assert.ok(ratio > 0.6 && ratio < 1.4, `digit ${digit}: ${ratio.toFixed(2)} × MNIST's mean ink`);
    }
  });

  it('reads a fast hand (fewer pointer samples) as a slow one: the pad smooths the path', () => {
    for (let digit = 0; digit <= 9; digit++) {
      const slow = placed(DIGIT_STROKES[digit], 0.6, 0.2, 0.2);
      const fast = slow.map((s) => s.filter((_, i) => i % 6 < 2 || i >= s.length - 2));
      const a = strokesToImage(slow).pixels;
      const b = strokesToImage(fast).pixels;
      const shared = total(a.map((v, i) => Math.min(v, b[i])));
      assert.ok(shared > 0.8 * total(a), `digit ${digit}: ${(shared / total(a)).toFixed(2)} of the ink in common`);
    }
  });

  it('smooths a stroke as the canvas draws it: through its ends, near every point', () => {
    const stroke = [0, 0, 1, 0, 1, 1, 0, 1];
    const path = smoothPath(stroke);
    assert.deepEqual(path.slice(0, 2), [0, 0]);
    assert.deepEqual(path.slice(-2), [0, 1]);
    assert.deepEqual(smoothPath([0.2, 0.3, 0.4, 0.5]), [0.2, 0.3, 0.4, 0.5]);
    assert.deepEqual(smoothPath([0.2, 0.3]), [0.2, 0.3]);
  });

  it('says empty for no strokes, and draws a lone dot as a dot of the pen', () => {
    assert.equal(strokesToImage([]).empty, true);
    assert.equal(strokesToImage([[]]).empty, true);
    const dot = strokesToImage([[0.3, 0.3]]);
    assert.equal(dot.empty, false);
    const ink = total(dot.pixels) / 255;
    assert.ok(Math.abs(ink - Math.PI * (PEN_WIDTH / 2) ** 2) < 1, `a dot carries ${ink.toFixed(1)} px of ink`);
    assert.throws(() => strokesToImage(VERTICAL, { penWidth: 0 }), /pen width/);
  });

  it("is what the pad's preview shows and sends (strokesToMnist), with a frame that maps the 28×28 back onto the drawing", () => {
    const strokes = placed(DIGIT_STROKES[7], 0.4, 0.5, 0.1);
    const pad = strokesToMnist(strokes);
    assert.deepEqual(pad.pixels, strokesToImage(strokes).pixels);
    // Every point of the drawn path, mapped through the frame, lands on ink of the 28×28.
    const { box, width, dx, dy } = pad.frame!;
    const k = width / (box.right - box.left); // frame px per RASTER_SIDE px
    for (const s of strokes.map(smoothPath)) {
      for (let i = 0; i < s.length; i += 2) {
        const fx = Math.floor((s[i] * RASTER_SIDE - box.left) * k + dx);
        const fy = Math.floor((s[i + 1] * RASTER_SIDE - box.top) * k + dy);
        assert.ok(pad.pixels[fy * 28 + fx] > 100, `point (${s[i].toFixed(3)}, ${s[i + 1].toFixed(3)}) → pixel (${fx}, ${fy}) = ${pad.pixels[fy * 28 + fx]}`);
      }
    }
  });
});
