// Paired comparison of two recipes on the same held-out rows (bench/recipe.ts results): mistakes
// of each, the images exactly one of them gets wrong, and McNemar's exact test on those — the
// protocol bench/ACCURACY.md uses to tell a real gain from retraining noise.
//   npx tsx bench/mcnemar.ts <recipe A> <recipe B> [seed ...]     (default seeds: those both have)
import * as fs from 'fs';
import * as path from 'path';

interface Run {
  accuracy: number;
  heldOut: number;
  mistakes: number[];
  minutes: number;
  settings: { seed: number; validationSplit: number };
}

const dir = path.join(__dirname, 'results', 'tmp');

function load(name: string, seed: number): Run | undefined {
  const file = path.join(dir, `${name}-seed${seed}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Run) : undefined;
}

/** Two-sided exact McNemar p-value: the binomial(n = b + c, ½) probability of a split as uneven as b : c. */
export function mcnemarP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  let tail = 0;
  let term = Math.pow(0.5, n); // C(n, 0) / 2^n
  for (let k = 0; k <= Math.min(b, c); k++) {
    tail += term;
    term = (term * (n - k)) / (k + 1);
  }
  return Math.min(1, 2 * tail);
}

if (require.main === module) {
  const [a, b, ...seedArgs] = process.argv.slice(2);
  const seeds = seedArgs.length ? seedArgs.map(Number) : [1, 2, 42].filter((s) => load(a, s) && load(b, s));
  let onlyA = 0;
  let onlyB = 0;
  let mistakesA = 0;
  let mistakesB = 0;
  let rows = 0;
  console.log(`| split (seed) | ${a}: mistakes | ${b}: mistakes | wrong only with ${a} | wrong only with ${b} | p (McNemar) |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const seed of seeds) {
    const ra = load(a, seed)!;
    const rb = load(b, seed)!;
    if (ra.settings.validationSplit !== rb.settings.validationSplit || ra.heldOut !== rb.heldOut) throw new Error(`seed ${seed}: the two runs held out different rows`);
    const wa = new Set(ra.mistakes);
    const wb = new Set(rb.mistakes);
    const ao = ra.mistakes.filter((i) => !wb.has(i)).length;
    const bo = rb.mistakes.filter((i) => !wa.has(i)).length;
    onlyA += ao;
    onlyB += bo;
    mistakesA += wa.size;
    mistakesB += wb.size;
    rows += ra.heldOut;
    console.log(`| ${seed} | ${wa.size} (${(ra.accuracy * 100).toFixed(2)}%, ${ra.minutes.toFixed(1)} min) | ${wb.size} (${(rb.accuracy * 100).toFixed(2)}%, ${rb.minutes.toFixed(1)} min) | ${ao} | ${bo} | ${mcnemarP(ao, bo).toFixed(3)} |`);
  }
  const pct = (m: number) => (100 * (1 - m / rows)).toFixed(2);
  console.log(`| all (${rows} rows) | ${mistakesA} (${pct(mistakesA)}%) | ${mistakesB} (${pct(mistakesB)}%) | ${onlyA} | ${onlyB} | ${mcnemarP(onlyA, onlyB).toFixed(3)} |`);
}
