// Training curves: smoothing for display and a compact per-batch history kept in metadata.json.
// Pure: used by the engine (recording), the extension and the dashboard webview (display).

/**
 * Exponential moving average with bias correction (TensorBoard's smoothing): out[i] is the
 * weighted mean of values[0..i] with weights `weight^(i-k)`, so early points are not pulled
 * towards 0. `weight` 0 returns the values unchanged.
 */
export function smooth(values: ArrayLike<number>, weight = 0.9): number[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  const out: number[] = [];
  let last = 0;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    last = last * weight + (1 - weight) * values[i];
    norm = norm * weight + (1 - weight);
    out.push(last / norm);
  }
  return out;
}

/** Per-batch loss and accuracy, averaged over buckets of `stride` batches so it stays small. */
export interface BatchHistory {
  batchesPerEpoch: number;
  /** Batches recorded in all. */
  count: number;
  /** Batches per point; point i covers batches [i·stride, (i+1)·stride), the last maybe fewer. */
  stride: number;
  loss: number[];
  accuracy: number[];
}

/** Records every batch; when `maxPoints` points are full, neighbours are averaged pairwise and the stride doubles. */
/** A history with no batch yet (a run that has not trained, or a model saved without one). */
export function emptyBatchHistory(): BatchHistory {
  return { batchesPerEpoch: 1, count: 0, stride: 1, loss: [], accuracy: [] };
}

export class BatchHistoryRecorder {
  private stride = 1;
  private count = 0;
  private readonly loss: number[] = [];
  private readonly accuracy: number[] = [];
  private pendingLoss = 0;
  private pendingAccuracy = 0;
  private pending = 0;

  constructor(
    private readonly batchesPerEpoch: number,
    private readonly maxPoints = 1000,
  ) {
    if (maxPoints < 2 || maxPoints % 2) throw new RangeError('maxPoints must be an even number ≥ 2');
  }

  add(loss: number, accuracy: number): void {
    this.count++;
    this.pendingLoss += loss;
    this.pendingAccuracy += accuracy;
    if (++this.pending < this.stride) return;
    this.loss.push(this.pendingLoss / this.pending);
    this.accuracy.push(this.pendingAccuracy / this.pending);
    this.pendingLoss = this.pendingAccuracy = this.pending = 0;
    if (this.loss.length === this.maxPoints) {
      halve(this.loss);
      halve(this.accuracy);
      this.stride *= 2;
    }
  }

  toJSON(): BatchHistory {
    const loss = this.loss.slice();
    const accuracy = this.accuracy.slice();
    if (this.pending) {
      loss.push(this.pendingLoss / this.pending);
      accuracy.push(this.pendingAccuracy / this.pending);
    }
    return { batchesPerEpoch: this.batchesPerEpoch, count: this.count, stride: this.stride, loss: loss.map(round), accuracy: accuracy.map(round) };
  }
}

function halve(values: number[]): void {
  const n = values.length / 2;
  for (let i = 0; i < n; i++) values[i] = (values[2 * i] + values[2 * i + 1]) / 2;
  values.length = n;
}

/** 5 significant digits: plenty for a curve, and compact in JSON. */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(5)) : 0;
}

/** The x position (in epochs, 0 = start) of each point of a batch history: the end of its bucket. */
export function batchHistoryEpochs(h: BatchHistory): number[] {
  return h.loss.map((_, i) => Math.min((i + 1) * h.stride, h.count) / h.batchesPerEpoch);
}

/** At most `max` points of (x, y), keeping every k-th and always the last, for charts. */
export function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  const out: T[] = [];
  for (let i = 0; i < points.length; i += step) out.push(points[i]);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}
