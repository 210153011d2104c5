// Crash-proof saves, proven by killing processes: at every named failpoint of a save (a child
// process is SIGKILLed there) and at random moments of a real `train`, the model folder holds the
// complete old model or the complete new one once the next start has recovered, nothing
// half-written is listed or loaded, and the leftovers are gone.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FAILPOINTS, FAILPOINT_ENV } from '../../src/engine/core/failpoints';
import { ModelStore } from '../../src/engine/model/modelStore';
import { isCompleteModelDir, recoverModelDir } from '../../src/engine/model/modelDir';
import { listStaged } from '../../src/engine/core/files';
import { initBackend } from '../../src/engine/kernels/backend';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { readMetadata } from '../../src/engine/model/metadata';
import { readSamples } from '../../src/engine/data/samples';
import { createRandom } from '../../src/engine/core/random';
import { disposeModel } from '../../src/engine/model/architectures';
import { requireData, slice, tempDir } from '../support/data';

const ROOT = path.resolve(__dirname, '../..');
const CRASH_SAVE = path.join(ROOT, 'test/support/crashSave.ts');

function crashSave(args: string[], failpoint?: string) {
  const env = { ...process.env };
  delete env[FAILPOINT_ENV];
  if (failpoint) env[FAILPOINT_ENV] = failpoint;
  return spawnSync(process.execPath, ['-r', 'tsx/cjs', CRASH_SAVE, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
}

/** Everything in `folder` whose name mentions `name` (the target and its staging leftovers). */
function entriesOf(folder: string, name: string): string[] {
  return fs.readdirSync(folder).filter((e) => e.includes(name)).sort();
}

describe('crash-proof saves (fault injection)', function () {
  this.timeout(600_000);

  const modelPoints = FAILPOINTS.filter((p) => p.startsWith('model-save:'));
  for (const point of modelPoints) {
    it(`a process killed at ${point} leaves the old or the new model, and the next start recovers it`, function () {
      const root = tempDir();
      const target = path.join(root, 'model-1');
      const first = crashSave(['model', target, 'old-111']);
      assert.equal(first.status, 0, first.stderr);
      const killed = crashSave(['model', target, 'new-222'], point);
      assert.equal(killed.signal, 'SIGKILL', `the failpoint ${point} was not reached (exit ${killed.status}: ${killed.stderr})`);

      // Before recovery: the folder is complete, or it is absent and a complete copy waits beside it.
      const staged = listStaged(target);
      assert.ok(isCompleteModelDir(target) || (!fs.existsSync(target) && staged.some((s) => isCompleteModelDir(s.path))), `after ${point}: ${entriesOf(root, 'model-1').join(', ')}`);

      // The next start (the model store listing its folder) recovers.
      const models = new ModelStore(root).list();
      assert.equal(models.length, 1, `listed: ${models.map((m) => m.id).join(', ')}`);
      assert.equal(models[0].id, 'model-1');
      assert.ok(['old-111', 'new-222'].includes(models[0].metadata.name));
      // Once the new model is in place (or its old one is being removed), the save has committed.
      if (point === 'model-save:new-in-place' || point === 'model-save:old-half-removed' || point === 'model-save:old-moved-aside') {
        assert.equal(models[0].metadata.name, 'new-222');
      } else {
        assert.equal(models[0].metadata.name, 'old-111');
      }
      assert.deepEqual(entriesOf(root, 'model-1'), ['model-1'], 'no leftovers after recovery');
    });
  }

  it('the CLI recovers too: a model folder a killed save left absent is put back before it is loaded', async function () {
    await initBackend('auto');
    const root = tempDir();
    const target = path.join(root, 'model');
    assert.equal(crashSave(['model', target, 'old-111']).status, 0);
    assert.equal(crashSave(['model', target, 'new-222'], 'model-save:old-moved-aside').signal, 'SIGKILL');
    assert.equal(fs.existsSync(target), false, 'the kill point leaves the folder absent');
    const loaded = await loadAnyModel(target);
    assert.equal(loaded.metadata?.name, 'new-222');
    disposeModel(loaded.model);
    assert.deepEqual(entriesOf(root, 'model'), ['model']);
  });

  for (const point of FAILPOINTS.filter((p) => p.startsWith('file-write:'))) {
    it(`a drawing appended by a process killed at ${point}: the samples file holds the old rows or the new ones, never half`, async function () {
      const file = path.join(tempDir(), 'my-digits.csv');
      assert.equal(crashSave(['sample', file, '3']).status, 0);
      const before = fs.readFileSync(file, 'utf8');
      const killed = crashSave(['sample', file, '7'], point);
      assert.equal(killed.signal, 'SIGKILL', `the failpoint ${point} was not reached (exit ${killed.status}: ${killed.stderr})`);
      const after = fs.readFileSync(file, 'utf8');
      const samples = await readSamples(file);
      if (point === 'file-write:renamed') {
        assert.equal(samples.count, 2);
        assert.deepEqual(Array.from(samples.labels), [3, 7]);
      } else {
        assert.equal(after, before);
        assert.equal(samples.count, 1);
      }
      // The next write clears what the killed one left.
      assert.equal(crashSave(['sample', file, '5']).status, 0);
      assert.deepEqual(entriesOf(path.dirname(file), 'my-digits'), ['my-digits.csv']);
    });
  }

  it('leftovers of earlier versions are settled: a `<id>.old-…` folder is never listed as a model', function () {
    const root = tempDir();
    assert.equal(crashSave(['model', path.join(root, 'a'), 'a-1']).status, 0);
    // What the previous save code left when killed between its two renames: the model under `<id>.old-<pid>-<time>` only.
    fs.renameSync(path.join(root, 'a'), path.join(root, 'a.old-999999-1700000000000'));
    assert.equal(crashSave(['model', path.join(root, 'b'), 'b-2']).status, 0);
    fs.cpSync(path.join(root, 'b'), path.join(root, 'b.old-999999-1700000000001'), { recursive: true });
    fs.mkdirSync(path.join(root, '.c.deleting-1700000000002'));
    const ids = new ModelStore(root).list().map((m) => m.id).sort();
    assert.deepEqual(ids, ['a', 'b']);
    assert.deepEqual(fs.readdirSync(root).sort(), ['a', 'b']);
  });

  it('a save under way in a live process is left alone by recovery', function () {
    const root = tempDir();
    const target = path.join(root, 'model');
    fs.mkdirSync(path.join(root, `.model.tmp-${process.pid}-1`));
    assert.equal(recoverModelDir(target), undefined);
    assert.ok(fs.existsSync(path.join(root, `.model.tmp-${process.pid}-1`)));
  });

  it('SIGKILL at 20 seeded random moments of a real `train`: a loadable model is found every time', async function () {
    const dir = requireData(this);
    await initBackend('auto');
    const train = await slice(dir, 'train.csv', 300);
    const out = path.join(tempDir(), 'model');
    const args = ['-r', 'tsx/cjs', path.join(ROOT, 'src/cli/main.ts'), 'train', train, '--arch', 'seed', '--epochs', '1', '--no-augment', '--threads', '1', '--out', out];
    const env = { ...process.env };
    delete env[FAILPOINT_ENV];
    const started = Date.now();
    const full = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(full.status, 0, full.stderr);
    let runMs = Date.now() - started;
    const random = createRandom(2026);
    let kills = 0;
    for (let attempt = 0; attempt < 60 && kills < 20; attempt++) {
      const at = Math.round(runMs * (0.05 + 0.95 * random()));
      const spawned = Date.now();
      const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), at);
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
      clearTimeout(timer);
      if (signal === 'SIGKILL') kills++;
      // A run that finished first was faster than the first one (a warm cache, a quieter machine): aim earlier.
      else runMs = Math.min(runMs, Date.now() - spawned);
      const loaded = await loadAnyModel(out);
      assert.ok(loaded.metadata?.name, `attempt ${attempt}, kill at ${at} ms: a model with its metadata`);
      disposeModel(loaded.model);
      assert.deepEqual(entriesOf(path.dirname(out), 'model'), ['model'], `attempt ${attempt}, kill at ${at} ms: no leftovers after loading`);
      assert.equal(readMetadata(out)?.formatVersion, 1);
    }
    assert.equal(kills, 20, 'twenty runs were killed before they finished');
  });
});
