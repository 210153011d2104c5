// Averaged probabilities of recipe runs (bench/recipe.ts results on the same held-out rows): the
// mistakes of the average, against each run's — what a model of several networks would make.
//   npx tsx bench/average.ts <run file> <run file> [...]     (bench/results/tmp/<name>-seed<S>.json)
import * as fs from 'fs';
import { mcnemarP } from './mcnemar';

interface Run {
  name: string;
  heldOut: number;
  mistakes: number[];
  probabilities?: number[];
  labels?: number[];
  settings: { seed: number };
}

const runs = process.argv.slice(2).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as Run);
if (runs.length < 2 || runs.some((r) => !r.probabilities || !r.labels)) throw new Error('usage: average.ts <run.json> <run.json> [...] (runs recorded with their probabilities)');
const n = runs[0].heldOut;
if (runs.some((r) => r.heldOut !== n || r.settings.seed !== runs[0].settings.seed)) throw new Error('the runs must share their held-out rows (same --held-out and --seed)');
const labels = runs[0].labels!;
const wrongAll = runs[0].mistakes.filter((i) => runs.every((r) => r.mistakes.includes(i))).length;
let averageMistakes = 0;
// Paired with the first run (network 1 of the model, the one-network run): rows only it gets wrong, rows only the average does.
let onlyFirst = 0;
let onlyAverage = 0;
const firstWrong = new Set(runs[0].mistakes);
for (let i = 0; i < n; i++) {
  const mean = Array.from({ length: 10 }, (_, d) => runs.reduce((s, r) => s + r.probabilities![i * 10 + d], 0) / runs.length);
  const wrong = mean.indexOf(Math.max(...mean)) !== labels[i];
  if (wrong) averageMistakes++;
  if (wrong && !firstWrong.has(i)) onlyAverage++;
  if (!wrong && firstWrong.has(i)) onlyFirst++;
}
for (const r of runs) console.log(`${r.name} seed ${r.settings.seed}: ${r.mistakes.length} mistakes of ${n}`);
console.log(`average of ${runs.length}: ${averageMistakes} mistakes of ${n} (${((1 - averageMistakes / n) * 100).toFixed(2)}%); ${wrongAll} rows every run gets wrong`);
console.log(`against ${runs[0].name} alone: ${onlyFirst} rows only it gets wrong, ${onlyAverage} only the average (McNemar b=${onlyFirst}, c=${onlyAverage}, p ${mcnemarP(onlyFirst, onlyAverage).toFixed(2)})`);
