// Cold activation of the packaged extension in a real VS Code (code-server 4.100.3 in Chromium), as
// VS Code itself times it: the figure of Developer: Show Running Extensions (loading the
// extension's code + its activate() call). Every run is a fresh server, user folder and extension
// host with the .vsix installed, on a folder that holds Kaggle's file names (train.csv, test.csv;
// small stand-ins: activation looks at names only) so every version activates; and once more on an
// empty folder, where it shows whether the extension starts at all. Packages are interleaved run by
// run, so a busy machine slows them alike.
//
//   npx tsx scripts/benchActivation.ts [--runs 5] A.vsix [B.vsix ...]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openWorkbench, runningExtension, waitForCommand } from '../test/e2e/workbench';

const DISPLAY_NAME = 'Digit Recognizer';

interface Sample {
  vsix: string;
  withData: { ms: number; by: string };
  /** On an empty folder: the activation figure, or undefined when it did not start. */
  empty: { ms: number; by: string } | undefined;
}

async function measure(vsix: string, withData: boolean): Promise<{ ms: number; by: string } | undefined> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-activation-'));
  if (withData) {
    fs.writeFileSync(path.join(folder, 'train.csv'), 'label,pixel0\n1,0\n');
    fs.writeFileSync(path.join(folder, 'test.csv'), 'pixel0\n0\n');
  }
  const wb = await openWorkbench({ folder, vsix });
  try {
    // Commands are contributed once the extension is registered; then give start-up time to finish.
    await waitForCommand(wb.page, `${DISPLAY_NAME}: Get Started`);
    await wb.page.keyboard.press('Escape');
    await wb.page.waitForTimeout(5000);
    const row = await runningExtension(wb.page, DISPLAY_NAME);
    return row && { ms: row.activationMs, by: row.activatedBy.replace(/^Activated by \S+ /, '') };
  } finally {
    await wb.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
  const packages = args.map((a) => path.resolve(a));
  if (packages.length === 0 || !Number.isInteger(runs) || runs < 1) {
    console.error('usage: npx tsx scripts/benchActivation.ts [--runs N] A.vsix [B.vsix ...]');
    process.exit(2);
  }
  const samples: Sample[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const vsix of packages) {
      const sample: Sample = { vsix, withData: (await measure(vsix, true))!, empty: await measure(vsix, false) };
      if (!sample.withData) throw new Error(`${vsix} did not activate on a folder with train.csv and test.csv`);
      samples.push(sample);
      console.log(`run ${run} ${path.basename(vsix)}: ${sample.withData.ms} ms (${sample.withData.by}); empty folder: ${sample.empty ? `${sample.empty.ms} ms (${sample.empty.by})` : 'not started'}`);
    }
  }
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} cold runs each`);
  const base = median(samples.filter((s) => s.vsix === packages[0]).map((s) => s.withData.ms));
  for (const vsix of packages) {
    const mine = samples.filter((s) => s.vsix === vsix);
    const ms = mine.map((s) => s.withData.ms);
    const started = mine.filter((s) => s.empty).length;
    console.log(
      `${path.basename(vsix)} (${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MB): median ${median(ms)} ms (min ${Math.min(...ms)}, max ${Math.max(...ms)}; ×${(median(ms) / base).toFixed(2)} of the first)` +
        `, by ${mine[0].withData.by}; on an empty folder it started in ${started} of ${mine.length} runs` +
        (started ? ` (median ${median(mine.filter((s) => s.empty).map((s) => s.empty!.ms))} ms)` : ''),
    );
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
