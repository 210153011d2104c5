// Outputs never destroy what the product did not create, and every output place is checked
// before the job starts, with the user's path and the cause in words (the CLI as a user runs it).
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../../src/engine/core/errors';
import { writeJsonAtomic } from '../../src/engine/core/files';
import { requireData, slice, tempDir } from '../support/data';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A read-only folder only stops a process that is not root: as root (CI, these machines) the
 * child runs as `nobody`, so permissions are seen as a user sees them.
 */
const asUser: SpawnSyncOptions = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function cli(args: string[], options: SpawnSyncOptions = {}) {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, ...options });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A temporary folder any user may enter (the `nobody` child reads and writes below it). */
function openTempDir(): string {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  return dir;
}

/** One clean line on stderr, naming `where`, and no stack trace. */
function assertRefused(r: { code: number | null; stdout: string; stderr: string }, where: string, words: RegExp): void {
  assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
  assert.ok(r.stderr.includes(where), `the message names ${where}:\n${r.stderr}`);
  assert.match(r.stderr, words);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(r.stderr, /\.tmp-\d+/, 'no internal temp file named');
  assert.doesNotMatch(r.stderr, /\b(ENOENT|EACCES|EPERM|EISDIR|EROFS)\b/, 'the cause in words, not an errno');
}

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

describe('outputs are safe', function () {
  this.timeout(600_000);
  let train: string;
  let test: string;
  let model: string;

  before(async function () {
    const dir = requireData(this);
    train = await slice(dir, 'train.csv', 300);
    test = await slice(dir, 'test.csv', 20);
    model = path.join(openTempDir(), 'model');
    const r = cli(['train', train, '--arch', 'seed', '--epochs', '1', '--no-augment', '--threads', '1', '--out', model]);
    assert.equal(r.code, 0, r.stderr);
    fs.chmodSync(path.dirname(model), 0o755);
  });

  describe('train --out', function () {
    it('refuses a folder of the user\'s (src/main.py, notes.md) before training, and leaves it as it was', function () {
      const project = path.join(tempDir(), 'project');
      fs.mkdirSync(path.join(project, 'src'), { recursive: true });
      fs.writeFileSync(path.join(project, 'src', 'main.py'), 'print("mine")\n');
      fs.writeFileSync(path.join(project, 'notes.md'), '# my notes\n');
      const before = snapshot(project);
      const r = cli(['train', train, '--arch', 'seed', '--epochs', '1', '--out', project]);
      assertRefused(r, project, /not a model folder made by digit-recognizer/);
      assert.doesNotMatch(r.stdout, /Epoch/, 'refused before any training');
      assert.deepEqual(snapshot(project), before);
    });

    it('refuses a regular file, and `--out .` in a folder of the user\'s', function () {
      const dir = tempDir();
      const file = path.join(dir, 'notes.md');
      fs.writeFileSync(file, 'keep me\n');
      assertRefused(cli(['train', train, '--arch', 'seed', '--epochs', '1', '--out', file]), file, /is a file, not a model folder/);
      assert.equal(fs.readFileSync(file, 'utf8'), 'keep me\n');
      const r = cli(['train', train, '--arch', 'seed', '--epochs', '1', '--out', '.'], { cwd: dir });
      assertRefused(r, dir, /not a model folder made by digit-recognizer/);
      assert.deepEqual(fs.readdirSync(dir), ['notes.md']);
    });

    it('refuses a model folder of ours that also holds a file of the user\'s', function () {
      const dir = path.join(tempDir(), 'model');
      fs.cpSync(model, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'README.md'), 'my notes about this model\n');
      assertRefused(cli(['train', train, '--arch', 'seed', '--epochs', '1', '--out', dir]), dir, /also files it did not write \(README\.md\)/);
      assert.ok(fs.existsSync(path.join(dir, 'README.md')));
    });

    it('replaces a model folder of ours, and uses an empty folder', function () {
      const dir = path.join(tempDir(), 'model');
      fs.cpSync(model, dir, { recursive: true });
      const created = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8')).created;
      const r = cli(['train', train, '--arch', 'seed', '--epochs', '1', '--no-augment', '--threads', '1', '--out', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.notEqual(JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8')).created, created);
      const empty = fs.mkdtempSync(path.join(tempDir(), 'empty-'));
      assert.equal(cli(['train', train, '--arch', 'seed', '--epochs', '1', '--no-augment', '--threads', '1', '--out', empty]).code, 0);
      assert.ok(fs.existsSync(path.join(empty, 'model.json')));
    });

    it('into a read-only folder: refused before training, in words', function () {
      const parent = openTempDir();
      fs.chmodSync(parent, 0o555);
      const out = path.join(parent, 'model');
      const r = cli(['train', train, '--arch', 'seed', '--epochs', '1', '--out', out], asUser);
      assertRefused(r, out, /does not accept new files \(permission denied\)/);
      assert.doesNotMatch(r.stdout, /Epoch/);
    });
  });

  describe('submit --out', function () {
    it('into a missing folder, onto a folder, into a read-only folder: refused before predicting, in words', function () {
      const missing = path.join(tempDir(), 'no-such-folder', 'sub.csv');
      assertRefused(cli(['submit', test, '--model', model, '--out', missing]), missing, /the folder .*no-such-folder does not exist/);
      const folder = tempDir();
      assertRefused(cli(['submit', test, '--model', model, '--out', folder]), folder, /it is a folder; give a file name/);
      const readOnly = openTempDir();
      fs.chmodSync(readOnly, 0o555);
      const out = path.join(readOnly, 'submission.csv');
      assertRefused(cli(['submit', test, '--model', model, '--out', out], asUser), out, /does not accept new files \(permission denied\)/);
      assert.deepEqual(fs.readdirSync(readOnly), []);
    });

    it('does not replace a file it did not write; replaces its own submission', function () {
      const dir = tempDir();
      const mine = path.join(dir, 'results.csv');
      fs.writeFileSync(mine, 'name,score\nalice,3\n');
      assertRefused(cli(['submit', test, '--model', model, '--out', mine]), mine, /was not written by digit-recognizer/);
      assert.equal(fs.readFileSync(mine, 'utf8'), 'name,score\nalice,3\n');
      const ours = path.join(dir, 'submission.csv');
      assert.equal(cli(['submit', test, '--model', model, '--out', ours]).code, 0);
      assert.equal(cli(['submit', test, '--model', model, '--out', ours]).code, 0);
      assert.equal(fs.readFileSync(ours, 'utf8').split('\n')[0], 'ImageId,Label');
      assert.deepEqual(fs.readdirSync(dir).sort(), ['results.csv', 'submission.csv']);
    });
  });

  describe('predict-image --out', function () {
    it('onto a folder: refused before predicting, and nothing left behind', function () {
      const pictures = tempDir();
      fs.copyFileSync(path.join(ROOT, 'docs/images/pad-dark.png'), path.join(pictures, 'a.png'));
      const outDir = path.join(pictures, 'out');
      fs.mkdirSync(outDir);
      assertRefused(cli(['predict-image', pictures, '--model', model, '--out', outDir]), outDir, /it is a folder/);
      assert.deepEqual(fs.readdirSync(pictures).sort(), ['a.png', 'out']);
      assert.deepEqual(fs.readdirSync(outDir), []);
    });
  });

  describe('files the product writes', function () {
    it('a read-only samples file: the drawing is refused in words and the file is unchanged', function () {
      const dir = openTempDir();
      const file = path.join(dir, 'my-digits.csv');
      const r0 = spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'test/support/crashSave.ts'), 'sample', file, '3'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r0.status, 0, r0.stderr);
      fs.chmodSync(file, 0o444);
      const before = fs.readFileSync(file, 'utf8');
      const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'test/support/crashSave.ts'), 'sample', file, '7'], { cwd: ROOT, encoding: 'utf8', ...asUser });
      assert.equal(r.status, 1);
      assert.match(String(r.stderr), new RegExp(`Cannot save the drawing to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file is read-only`));
      assert.equal(fs.readFileSync(file, 'utf8'), before);
    });

    it('writeJsonAtomic onto a folder fails naming the path in words and leaves no temporary file', async function () {
      const dir = tempDir();
      const target = path.join(dir, 'metadata.json');
      fs.mkdirSync(target);
      await assert.rejects(writeJsonAtomic(target, { a: 1 }), (err: unknown) => err instanceof InputError && err.message.startsWith(`Cannot write ${target}: `) && !/EISDIR|tmp-/.test(err.message));
      assert.deepEqual(fs.readdirSync(dir), ['metadata.json']);
    });
  });
});
