// Peak memory of reading a small PNG that declares a huge picture (a "decompression bomb"):
// a real, valid 10000×10000 grayscale PNG of ~100 KB, given to the product's decodeImage (which
// reads the size from the header and refuses before decoding) and, for comparison, decoded by
// pngjs directly (what decodeImage did before it checked the header first). Each runs in a fresh
// child process; peak RSS is the child's own maximum resident set size (getrusage).
//
//   npx tsx bench/imageBomb.ts
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { grayPng } from '../test/support/png';

const SIDE = 10_000;

/** A valid SIDE×SIDE 8-bit grayscale PNG, all black, its rows compressed in one zlib stream. */
function bombPng(): Buffer {
  const raw = Buffer.alloc(SIDE * (SIDE + 1)); // filter byte 0 + SIDE zero pixels per row
  return grayPng(SIDE, SIDE, zlib.deflateSync(raw, { level: 9 }));
}

function peakRss(script: string, file: string): { mb: number; output: string } {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script, file], { encoding: 'utf8', cwd: path.resolve(__dirname, '..') });
  const match = /maxRSS=(\d+)/.exec(r.stdout);
  return { mb: match ? Number(match[1]) / 1024 : NaN, output: (r.stdout + r.stderr).replace(/maxRSS=\d+/, '').trim() };
}

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bomb-')), 'bomb.png');
fs.writeFileSync(file, bombPng());
const report = `; console.log('maxRSS=' + process.resourceUsage().maxRSS)`;
const baseline = peakRss(`require('./src/engine/data/imageDecode')${report}`, file);
const ours = peakRss(`const { decodeImage } = require('./src/engine/data/imageDecode'); try { decodeImage(require('fs').readFileSync(process.argv[1]), 'bomb.png') } catch (e) { console.log(e.message) }${report}`, file);
const before = peakRss(`const { PNG } = require('pngjs'); try { const p = PNG.sync.read(require('fs').readFileSync(process.argv[1])); console.log('decoded', p.width + '×' + p.height) } catch (e) { console.log(e.message) }${report}`, file);
console.log(`${new Date().toISOString().slice(0, 16)} UTC, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}`);
console.log(`PNG: ${SIDE}×${SIDE}, ${(fs.statSync(file).size / 1024).toFixed(0)} KB`);
console.log(`peak RSS, loading the module only: ${baseline.mb.toFixed(0)} MB`);
console.log(`peak RSS, decodeImage (header first): ${ours.mb.toFixed(0)} MB — ${ours.output}`);
console.log(`peak RSS, decoding first (pngjs): ${before.mb.toFixed(0)} MB — ${before.output}`);
fs.rmSync(path.dirname(file), { recursive: true, force: true });
