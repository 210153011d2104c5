// Benchmarks src/engine/data/csv.ts on Kaggle's train.csv and test.csv.
// Run: npx tsx bench/csv.ts [--mode step|chunk] [--hwm bytes] [--runs n]   (defaults: csvTuning)
// Each measurement runs in a fresh child process so peak RSS/heap growth is not polluted by
// earlier runs; the child samples memory every 5 ms while parsing. "seconds" is wall-clock time
// (best of the runs), "CPU" is user+system time of that run, which a busy machine disturbs less.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { csvTuning, readDigitCsv } from '../src/engine/data/csv';
import { dataDir, HOW_TO_GET_DATA } from '../test/support/data';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function child(file: string): Promise<void> {
  csvTuning.mode = arg('mode', csvTuning.mode) as 'chunk' | 'step';
  csvTuning.highWaterMark = Number(arg('hwm', String(csvTuning.highWaterMark)));
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const ext0 = process.memoryUsage().arrayBuffers;
  let peakRss = rss0;
  let peakHeap = heap0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const csv = await readDigitCsv(file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  sample();
  clearInterval(timer);
  const arrays = process.memoryUsage().arrayBuffers - ext0;
  console.log(
    JSON.stringify({
      seconds,
      cpuSeconds,
      rows: csv.count,
      format: csv.format,
      peakRssMB: (peakRss - rss0) / 2 ** 20,
      peakHeapMB: (peakHeap - heap0) / 2 ** 20,
      resultMB: arrays / 2 ** 20,
    }),
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) return child(arg('file', ''));
  const dir = dataDir();
  if (!dir) {
    console.error(HOW_TO_GET_DATA);
    process.exit(1);
  }
  const mode = arg('mode', csvTuning.mode);
  const hwm = arg('hwm', String(csvTuning.highWaterMark));
  const runs = Number(arg('runs', '3'));
  const os = await import('os');
  console.log(
    `mode=${mode} highWaterMark=${hwm} node=${process.version} runs=${runs} cpus=${os.cpus().length} ` +
      `load=${os.loadavg().map((l) => l.toFixed(1)).join(',')}`,
  );
  for (const name of ['train.csv', 'test.csv']) {
    const results = [];
    for (let r = 0; r < runs; r++) {
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', __filename, '--child', '--file', path.join(dir, name), '--mode', mode, '--hwm', hwm],
        { encoding: 'utf8' },
      );
      results.push(JSON.parse(out.trim().split('\n').pop()!));
    }
    const best = results.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const f = (x: number) => x.toFixed(2);
    console.log(
      `${name}: ${best.rows} rows (${best.format}); seconds ${results.map((r) => f(r.seconds)).join(' / ')} ` +
        `(best ${f(best.seconds)}, CPU ${f(best.cpuSeconds)} s); peak RSS growth ${f(Math.max(...results.map((r) => r.peakRssMB)))} MB; ` +
        `peak heap growth ${f(Math.max(...results.map((r) => r.peakHeapMB)))} MB; ArrayBuffers at end ${f(best.resultMB)} MB (result + uncollected growth buffers)`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
