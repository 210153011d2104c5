// The command-line tool as a user runs it (a child process): its output, exit codes and messages.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { requireData, slice, tempDir } from '../support/data';
import { runCli } from '../support/cli';



/** A clear message: one "Error: …" line naming what was wrong, no stack trace. */
function assertCleanError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, `no stack trace expected:\n${stderr}`);
}

describe('CLI', function () {
  this.timeout(300_000);
  let train: string;
  let test: string;
  let model: string;

  before(async function () {
    const dir = requireData(this);
    train = await slice(dir, 'train.csv', 400);
    test = await slice(dir, 'test.csv', 30);
    model = path.join(tempDir(), 'model');
  });

  it('train prints per-epoch progress, the model folder and the validation accuracy', function () {
    const r = runCli('train', train, '--arch', 'seed', '--epochs', '2', '--no-augment', '--threads', '1', '--out', model);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Epoch 1: loss [\d.]+ acc [\d.]+% val_loss [\d.]+ val_acc [\d.]+%/m);
    assert.match(r.stdout, /^Epoch 2: /m);
    assert.match(r.stdout, new RegExp(`^Model saved to ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(r.stdout, /^Validation accuracy: \d+\.\d\d%$/m);
    assert.ok(fs.existsSync(path.join(model, 'model.json')));
  });

  it('submit --out writes ImageId,Label for every test row', function () {
    const out = path.join(tempDir(), 'sub.csv');
    const r = runCli('submit', test, '--model', model, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Wrote 30 predictions to /);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 31);
    assert.equal(lines[0], 'ImageId,Label');
  });

  it('evaluate prints accuracy, the confusion matrix and per-class metrics', function () {
    const r = runCli('evaluate', train, '--model', model);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Accuracy: [\d.]+% on 400 rows/);
    assert.match(r.stdout, /true\\pred/);
    assert.equal(r.stdout.split('\n').filter((l) => /^\s+\d \s*[\d.]+ +[\d.]+ +[\d.]+ +\d+$/.test(l)).length, 10);
  });

  describe('bad usage exits 2 with the command help', function () {
    for (const [title, args, pattern] of [
      ['no command', [], /Usage: digit-recognizer <command>/],
      ['an unknown command', ['fly'], /unknown command "fly"/],
      ['an unknown option', ['train', 'x.csv', '--colour', 'red'], /Unknown option '--colour'/],
      ['a bad number', ['train', 'x.csv', '--epochs', 'two'], /--epochs must be a whole number from 1 to 200 \(got "two"\)/],
      ['a label smoothing out of range', ['train', 'x.csv', '--label-smoothing', '0.6'], /--label-smoothing must be a number from 0 to 0.5 \(got "0.6"\)/],
      ['a missing --model', ['submit', 'x.csv'], /missing --model/],
      ['a bad --limit', ['evaluate', 'x.csv', '--model', 'm', '--limit', 'abc'], /--limit must be a whole number ≥ 1 \(got "abc"\)/],
    ] as const) {
      it(title, function () {
        const r = runCli(...args);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr + r.stdout, pattern);
      });
    }
  });

  describe('bad input exits 1 with a clear message and no stack trace', function () {
    it('a malformed row names the file and line', function () {
      const lines = fs.readFileSync(train, 'utf8').split('\n');
      lines[3] = lines[3].replace(/,\d+$/, '');
      const bad = path.join(tempDir(), 'bad.csv');
      fs.writeFileSync(bad, lines.join('\n'));
      const r = runCli('train', bad, '--epochs', '1');
      assert.equal(r.code, 1);
      assertCleanError(r.stderr, /^Error: bad\.csv line 4: expected 785 fields, found 784/m);
    });
    it('a missing file', function () {
      const r = runCli('train', '/nonexistent/train.csv');
      assert.equal(r.code, 1);
      assertCleanError(r.stderr, /^Error: Cannot read \/nonexistent\/train\.csv: it does not exist/m);
    });
    it('a test-format file given to train', function () {
      const r = runCli('train', test);
      assert.equal(r.code, 1);
      assertCleanError(r.stderr, /in test format .*expected a labelled train-format file/);
    });
    it('a model folder that does not exist', function () {
      const r = runCli('submit', test, '--model', '/nonexistent/model');
      assert.equal(r.code, 1);
      assertCleanError(r.stderr, /^Error: Model not found: \/nonexistent\/model/m);
    });
    it('--verbose adds the stack trace', function () {
      const r = runCli('submit', test, '--model', '/nonexistent/model', '--verbose');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^\s+at /m);
    });
  });
});
