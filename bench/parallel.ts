// Data-parallel training A/B: trainStep (what trainModel runs on one thread) against the data-parallel step
// (src/engine/parallel/) with one replica, in alternating rounds on the same batch, medians.
// Alternating rounds matter on a shared machine, where the load changes under a long run.
//   npx tsx bench/parallel.ts [seed|default] [rounds=3] [steps per round=5]
import * as tf from '../src/engine/core/tf';
import * as os from 'os';
import { initBackend } from '../src/engine/kernels/backend';
import { createModel, disposeModel } from '../src/engine/model/architectures';
import { ReplicaPool } from '../src/engine/parallel/replicaPool';
import { DataParallelTrainer, type StepProfile } from '../src/engine/training/dataParallel';
import { trainStep } from '../src/engine/model/gradients';
const arch = (process.argv[2] ?? 'seed') as 'seed';
const rounds = Number(process.argv[3] ?? 3), per = Number(process.argv[4] ?? 5);
(async () => {
  await initBackend('auto');
  const a = createModel(arch, { seed: 1 }), b = createModel(arch, { seed: 1 });
  const x = tf.randomUniform([128, 28, 28, 1]);
  const y = tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 10));
  const pool = await ReplicaPool.start(b, { replicas: 1, maxShard: 65 });
  const trainer = new DataParallelTrainer(b, pool);
  trainStep(a, x, y); await trainer.trainOnBatch(x, y);
  for (const k of Object.keys(trainer.profile) as (keyof StepProfile)[]) trainer.profile[k] = 0;
  const s: number[] = [], p: number[] = [];
  let cs = 0, cp = 0, ts = 0, tp = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [list, f, which] of [[s, async () => trainStep(a, x, y), 's'], [p, () => trainer.trainOnBatch(x, y), 'p']] as const) {
      const cpu = process.cpuUsage(); const t0 = performance.now();
      for (let i = 0; i < per; i++) { const t = performance.now(); await f(); list.push(performance.now() - t); }
      const u = process.cpuUsage(cpu); const el = performance.now() - t0;
      if (which === 's') { cs += (u.user + u.system) / 1000; ts += el; } else { cp += (u.user + u.system) / 1000; tp += el; }
    }
    console.error(`round ${r} load ${os.loadavg()[0].toFixed(1)}`);
  }
  const med = (v: number[]) => [...v].sort((q, w) => q - w)[v.length >> 1];
  const pr = trainer.profile;
  console.log(JSON.stringify({ arch, load: os.loadavg()[0], single: { ms: med(s), ips: 128000 / med(s), cores: cs / ts }, parallel: { ms: med(p), ips: 128000 / med(p), cores: cp / tp }, speedup: med(s) / med(p),
    profile: Object.fromEntries(Object.entries(pr).map(([k, v]) => [k, k === 'steps' ? v : +(v / pr.steps).toFixed(1)])) }));
  await pool.close(); disposeModel(a); disposeModel(b);
})();
