// Training throughput of the seed CNN on the wasm backend, and where the time goes.
//   npx tsx bench/kernels.ts              our kernels (initBackend('wasm'))
//   npx tsx bench/kernels.ts --stock      "before": stock wasm + only our Conv2DBackpropFilter
//   options: --steps=N (timed steps per round, default 10), --rounds=N (default 3),
//            --batch=N (default 128), --no-profile
// Random data; img/s = batch / median step time. Results are recorded in bench/KERNELS.md.
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { conv2dBackpropFilterConfig } from '../src/engine/kernels/conv2dBackpropFilter';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const stock = args.includes('--stock');
const steps = opt('steps', 10);
const rounds = opt('rounds', 3);
const batch = opt('batch', 128);

function seedCnn(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (stock) {
    require('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    tf.registerKernel(conv2dBackpropFilterConfig);
  } else {
    await initBackend('wasm');
  }
  const model = seedCnn();
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const y = tf.cast(tf.randomUniform([batch], 0, 10, 'int32'), 'float32');
  const step = async () => {
    await model.trainOnBatch(x, y);
  };
  for (let i = 0; i < 3; i++) await step(); // warm-up (XNNPACK operators, wasm memory growth)

  const roundRates: number[] = [];
  const stepMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    stepMs.push(...times);
    roundRates.push(batch / (median(times) / 1000));
  }
  const label = stock ? 'stock wasm + Conv2DBackpropFilter' : 'wasm + our kernels';
  console.log(`${label}: batch ${batch}, ${rounds}×${steps} steps`);
  console.log(`  median step ${median(stepMs).toFixed(1)} ms → ${(batch / (median(stepMs) / 1000)).toFixed(0)} img/s` +
    ` (rounds: ${roundRates.map((v) => v.toFixed(0)).join(', ')} img/s)`);

  if (!args.includes('--no-profile')) {
    const profile = await tf.profile(step);
    const byKernel = new Map<string, { ms: number; n: number }>();
    for (const k of profile.kernels) {
      const shapes = k.inputShapes.map((s) => `[${s}]`).join(' ');
      const key = `${k.name} ${shapes}`;
      const e = byKernel.get(key) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs as number;
      e.n++;
      byKernel.set(key, e);
    }
    const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
    console.log(`  profile of one step: ${total.toFixed(1)} ms in ${profile.kernels.length} kernel calls (top 15)`);
    for (const [key, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
      console.log(`  ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ×${e.n}  ${key}`);
    }
  }
  tf.dispose([x, y]);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
