// End-to-end: what a person does with the extension, in a real VS Code (code-server) in Chromium.
// Train a model from the command palette on a slice of Kaggle's train.csv, draw every digit 0–9
// on the Digit Pad with the mouse and check what the model reads, draw real pen digits (UNIPEN,
// ../shared/data/unipen-dev) small and large, undo and clear, see why it
// reads what it reads, teach it a personal handwriting (draw, correct, keep five of each digit;
// read better at once by the memory of kept drawings; Fine-Tune on My Drawings) and measure it on
// other drawings of that handwriting before, after keeping and after fine-tuning, screenshot the pad in the dark and light themes, write a submission, reload the window
// (the pad comes back with its drawing); and, separately,
// install the packaged .vsix, list its commands and open the pad (this needs no data: it is also
// the smoke test).
//
// The screenshots for the README (docs/images/*.png) are refreshed from test-artifacts/ when
// UPDATE_README_IMAGES=1. The data slices are made at test time in a temporary workspace; nothing from the data is
// committed.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { requireData, slice, tempDir } from '../support/data';
import { DIGIT_STROKES, type Stroke } from './digitStrokes';
import { personalDigit } from './personalStrokes';
import { HOW_TO_GET_UNIPEN, isDigit, readPenDigits, replayOnPad, unipenDir, writerSplit } from '../support/unipen';
import { makeKaggleStandIn, type StandIn } from '../support/kaggleStandIn';
import { ARTIFACTS_DIR, findWebviewFrame, openWorkbench, packagedVsix, paletteRow, runCommand, screenshot, waitForCommand, waitForNotification, waitForWorkbench, type Workbench, publishScreenshot as publish } from './workbench';

const TRAIN_ROWS = 7000;
const TEST_ROWS = 200;
/** Drawings of each digit taught, and drawings of each digit (others) measured before and after. */
const TEACH_PER_DIGIT = 5;
const MEASURE_PER_DIGIT = Number(process.env.FINE_TUNE_MEASURE_PER_DIGIT ?? 2);

/**
 * Training settings for this test: the seed CNN (conv32-conv64-dense128), 2 epochs on 7,000 rows
 * (6,300 trained, 700 validated), with augmentation (rotation, zoom, shift). Measured with the
 * CLI on this 2-core box: 96% validation accuracy in about a minute when the machine is quiet
 * (two to four under load), and every digit of digitStrokes.ts read at ≥ 96% confidence, also
 * when the strokes are rotated ±8°, stretched ±20% or sheared (≥ 90%). 3 epochs on 8,000 rows
 * reach 97% but take 1.7× as long without reading the drawings better; the default (BN) CNN is
 * 1.6× slower per image. Augmentation is what makes a model trained on scanned digits robust to
 * mouse-drawn ones; a fixed seed makes the run repeatable.
 */
const TRAINING_SETTINGS = {
  'digitRecognizer.architecture': 'seed',
  'digitRecognizer.epochs': 2,
  'digitRecognizer.augment': true,
  'digitRecognizer.seed': 42,
};

// Needs no data: also the smoke test of the workbench and the packaging.
describe('the packaged .vsix', function () {
  let wb: Workbench | undefined;

  after(async function () {
    await wb?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `failed-${this.currentTest.fullTitle()}`);
  });

  it('installs, lists its commands, and its Digit Pad opens and says "No model yet"', async function () {
    this.timeout(10 * 60_000);
    // Packaged as `npm run package` does (the production build, package.json's "files").
    wb = await openWorkbench({ mode: 'vsix', vsix: packagedVsix(), theme: 'Default Dark Modern' });
    const page = wb.page;

    await waitForCommand(page, 'Digit Recognizer: Open Digit Pad');
    // The list is virtual (only the rows in view exist): look for each command by its title.
    for (const title of ['Train Model', 'Open Digit Pad', 'Generate Submission', 'Get Started', 'Install Native TensorFlow', 'Fine-Tune on My Drawings']) {
      await waitForCommand(page, `Digit Recognizer: ${title}`);
    }
    await page.locator('.quick-input-widget input').fill('>Digit Recognizer');
    await screenshot(page, 'command-palette-digit-recognizer');
    await page.keyboard.press('Escape');

    await runCommand(page, 'Digit Recognizer: Open Digit Pad');
    await page.locator('.tabs-container .tab', { hasText: 'Digit Pad' }).waitFor();
    const frame = await findWebviewFrame(wb.page, async (f) => (await f.locator('[data-testid=pad-canvas]').count()) > 0);
    await frame.locator('[data-testid=no-model]').getByText('No model yet').waitFor();
    await screenshot(wb.page, 'vsix-pad-no-model');
    assert.deepStrictEqual(
      wb.errors.filter((e) => /digit|webview|pad\.js|pad\.css/i.test(e)),
      [],
      'browser console errors from the pad',
    );
  });
});

describe('Digit Recognizer, as a person uses it', function () {
  let wb: Workbench;
  let workspace: string;
  let pad: Frame;
  let kaggle: StandIn;

  before(async function () {
    const data = requireData(this);
    // A folder with a plain name: it shows in the window title of the README's screenshots.
    workspace = path.join(tempDir('digit-e2e-'), 'digit-recognizer');
    fs.mkdirSync(workspace);
    fs.copyFileSync(await slice(data, 'train.csv', TRAIN_ROWS), path.join(workspace, 'train.csv'));
    fs.copyFileSync(await slice(data, 'test.csv', TEST_ROWS), path.join(workspace, 'test.csv'));
    // kaggle.com cannot be reached from here: a stand-in kaggle tool, set as a user sets theirs.
    kaggle = makeKaggleStandIn(path.join(path.dirname(workspace), 'kaggle-tool'), { publicScore: 0.98765, pendingPolls: 1 });
    wb = await openWorkbench({ folder: workspace, theme: 'Default Dark Modern', settings: { ...TRAINING_SETTINGS, 'digitRecognizer.kagglePath': kaggle.command } });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `failed-${this.currentTest.fullTitle()}`);
  });

  after(async function () {
    await wb?.close();
    if (workspace) fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  });

  it('trains a model from the palette: pick train.csv, start, progress, "Trained …"', async function () {
    this.timeout(15 * 60_000); // two slow cores under load: generous, never asserted on
    const page = wb.page;
    // The file pick: workspace CSVs in the train format.
    await commandThenPick(page, 'Digit Recognizer: Train Model', 'train.csv');
    // The settings confirmation: the workspace's settings, then "Start training".
    const start = quickPickRow(page, 'Start training');
    await start.waitFor();
    const description = await start.innerText();
    assert.match(description, /architecture seed, epochs 2,/, `the settings shown: ${description}`);
    assert.doesNotMatch(description, /learns from test\.csv/, 'off by default');
    await start.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

    // Mid-training: the progress notification with epoch, batch, loss, accuracy and, from the
    // second epoch on, the last validation accuracy.
    const progress = await waitForNotification(page, /Epoch 1\/2 · batch \d+\/\d+ · loss/, 5 * 60_000);
    assert.match(progress, /Training seed model/);
    await waitForNotification(page, /Epoch 2\/2 · batch \d+\/\d+ · loss .* · val \d/, 10 * 60_000);
    await publish(await screenshot(page, 'training'), 'training.png');

    const done = await waitForNotification(page, /Trained "/, 14 * 60_000);
    console.log(`      ${/Trained "[^\n]*/.exec(done)![0]}`);
    assert.match(done, /validation accuracy \d+\.\d+%/);
    const accuracy = Number(/validation accuracy (\d+\.\d+)%/.exec(done)![1]);
    assert.ok(accuracy > 90, `validation accuracy ${accuracy}%`);
    await runCommand(page, 'Notifications: Clear All Notifications');
  });

  it('opens the Digit Pad with the new model', async function () {
    const page = wb.page;
    await runCommand(page, 'Digit Recognizer: Open Digit Pad');
    await page.locator('.tabs-container .tab', { hasText: 'Digit Pad' }).waitFor();
    pad = await findWebviewFrame(page, async (f) => (await f.locator('[data-testid=pad-canvas]').count()) > 0);
    await pad.locator('[data-testid=model-name]').filter({ hasText: /\S/ }).waitFor();
    assert.ok(await pad.locator('[data-testid=no-model]').isHidden(), '"No model yet" shows although a model was trained');
    assert.match(await pad.locator('[data-testid=model-name]').innerText(), /train/);
  });

  it("runs across code-server's split: the extension host (extensionKind workspace) on the server, the workbench and the pad in Chromium", async function () {
    // The model the pad shows was trained and written by the extension host, into the server's storage.
    const models = path.join(wb.server.userDataDir, 'User', 'globalStorage', 'digit-recognizer.digit-recognizer-vscode', 'models');
    assert.ok(fs.readdirSync(models).some((m) => fs.existsSync(path.join(models, m, 'model.json'))), `no model in ${models}`);
    // The extension host says where it runs (its log, in the Output panel).
    await runCommandKeepOpen(wb.page, 'Output: Show Output Channels...');
    await quickPickRow(wb.page, 'Digit Recognizer').click();
    // The panel shows only the lines in view: filter it down to the one wanted.
    await wb.page.locator('.part.panel input[placeholder^="Filter"]').fill('Extension host');
    const log = wb.page.locator('.part.panel .monaco-editor .view-lines');
    await log.filter({ hasText: 'Extension host:' }).waitFor();
    // The panel wraps long lines wherever its width falls (once between ")" and ":"), so the
    // text is compared with all white space taken out.
    const squashed = (await log.innerText()).replace(/\s+/g, '');
    assert.match(squashed, /Extensionhost:theworkspace'smachine\(remote"127\.0\.0\.1:\d+",linux-x64,Node[\d.]+\):dataisreadandmodelsaretrainedthere;theUIrunsinabrowser\./, squashed);
    await runCommand(wb.page, 'View: Hide Panel');
  });

  it('reads every clearly drawn digit 0–9', async function () {
    this.timeout(10 * 60_000);
    const misread: string[] = [];
    for (let digit = 0; digit <= 9; digit++) {
      await clearPad(pad);
      await draw(wb.page, pad, DIGIT_STROKES[digit]);
      const read = await settledPrediction(wb.page, pad);
      const line =
        read.label === digit
          ? `drew ${digit}: read ${digit}, p = ${read.probabilities[digit]}`
          : `drew ${digit}: read ${read.label} (p = ${read.probabilities[read.label]}; p(${digit}) = ${read.probabilities[digit]})`;
      console.log(`      ${line}`);
      if (read.label !== digit) {
        misread.push(line);
        await screenshot(wb.page, `misread-${digit}`);
      }
    }
    assert.deepStrictEqual(misread, [], `misread digits:\n${misread.join('\n')}`);
  });

  it("reads real pen digits (UNIPEN writers never trained on) as well drawn small as large", async function () {
    this.timeout(15 * 60_000);
    if (!unipenDir()) {
      console.log(`      (pending) ${HOW_TO_GET_UNIPEN}`);
      this.skip();
    }
    // Three of each digit, the first in the file of the writers no benchmark learns from
    // (test/support/unipen.ts writerSplit), drawn with the mouse at 60% of the pad in its middle
    // and at 30% near its top left. Measured with the pad's own code in Node on a model trained
    // like this one (bench/padReplay.ts): 26 of these 30 at both sizes, 92.7% of all 844.
    const digits = readPenDigits().filter((d) => isDigit(d) && writerSplit(d.writer) === 'test');
    const picked = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((label) => digits.filter((d) => d.label === label).slice(0, 3));
    const box = await pad.locator('[data-testid=pad-canvas]').boundingBox();
    assert.ok(box);
    const reads = { large: [] as number[], small: [] as number[] };
    for (const digit of picked) {
      for (const [size, at, into] of [[0.6, [0.5, 0.5], reads.large], [0.3, [0.2, 0.2], reads.small]] as const) {
        await clearPad(pad);
        const strokes = replayOnPad(digit, { size, at: [...at], padPixels: Math.round(box.width) });
        await draw(wb.page, pad, strokes.map((s) => Array.from({ length: s.length / 2 }, (_, i): [number, number] => [s[2 * i], s[2 * i + 1]])), 1);
        into.push((await explained(pad)).label);
      }
    }
    await clearPad(pad);
    const right = (read: number[]) => read.filter((label, i) => label === picked[i].label).length;
    const same = reads.large.filter((label, i) => label === reads.small[i]).length;
    console.log(`      real pen digits read right: ${right(reads.large)}/${picked.length} drawn at 60% of the pad, ${right(reads.small)}/${picked.length} at 30%; the same answer at both sizes ${same}/${picked.length}`);
    assert.ok(right(reads.large) >= 24, `at 60%: ${right(reads.large)}/${picked.length}`);
    assert.ok(right(reads.small) >= 24, `at 30%: ${right(reads.small)}/${picked.length}`);
    // The model reads the drawing's own shape, whatever its size (shared/penImage.ts).
    assert.ok(same >= 28, `the same answer at both sizes for only ${same}/${picked.length}`);
  });

  it('undoes the last stroke and clears the pad', async function () {
    const page = wb.page;
    await clearPad(pad);
    const [bar, stem] = DIGIT_STROKES[4];
    await draw(page, pad, [bar]);
    const afterFirst = await previewPixels(pad);
    await draw(page, pad, [stem]);
    const afterSecond = await previewPixels(pad);
    assert.notStrictEqual(afterSecond, afterFirst, 'the model input did not change with the second stroke');
    await pad.locator('[data-testid=undo]').click();
    await waitUntil(async () => (await previewPixels(pad)) === afterFirst, 'the model input after Undo is that of the first stroke alone');

    await pad.locator('[data-testid=clear]').click();
    await waitUntil(async () => (await previewPixels(pad)) === emptyPreview, 'the model input is empty after Clear');
    await pad.locator('[data-testid=prediction]').filter({ hasText: /^$/ }).waitFor();
    assert.ok(await pad.locator('[data-testid=clear]').isDisabled(), 'Clear stays enabled on an empty pad');
  });

  it('shows why it reads what it reads: a map on the preview that is not blank, in words, and on the drawing when toggled, moving with the ink', async function () {
    this.timeout(3 * 60_000);
    const page = wb.page;
    await clearPad(pad);
    const seven = DIGIT_STROKES[7];
    await draw(page, pad, seven);
    const read = await explained(pad);
    assert.strictEqual(read.label, 7);
    const previewMap = await canvasInk(pad, 'saliency');
    assert.ok(previewMap.painted > 20, `the map on the preview is blank (${previewMap.painted} painted pixels)`);
    assert.match(read.why, new RegExp(`^Why 7, not (\\d): \\d+% of the evidence favours 7; the ink at the [a-z ]+ points most to 7`));
    assert.match((await pad.locator('[data-testid=saliency]').getAttribute('aria-label'))!, /^Why 7 and not \d: /);
    assert.match(await pad.locator('[data-testid=saliency-toward]').innerText(), /toward 7/);

    // Toggled on, the map lies over the drawing; drawn again further right, it moves with the ink.
    await pad.locator('[data-testid=saliency-toggle]').click();
    assert.strictEqual(await pad.locator('[data-testid=saliency-toggle]').getAttribute('aria-pressed'), 'true');
    const onCanvas = await canvasInk(pad, 'saliency-canvas');
    assert.ok(onCanvas.painted > 500, `the map on the drawing is blank (${onCanvas.painted} painted pixels)`);
    await publish(await screenshot(page, 'pad-see-why'), 'pad-see-why.png');
    await clearPad(pad);
    await draw(page, pad, seven.map((stroke) => stroke.map(([x, y]) => [x + 0.15, y] as [number, number])));
    await explained(pad);
    const moved = await canvasInk(pad, 'saliency-canvas');
    const shift = (moved.x - onCanvas.x) / moved.width;
    assert.ok(Math.abs(shift - 0.15) < 0.03, `the map moved by ${shift.toFixed(3)} of the pad, the ink by 0.15`);
    // A stroke more changes what the model reads into it.
    await draw(page, pad, [[[0.5, 0.5], [0.7, 0.5]]]);
    await explained(pad);
    assert.notStrictEqual((await canvasInk(pad, 'saliency')).signature, previewMap.signature, 'the map did not change with the ink');
    await pad.locator('[data-testid=saliency-toggle]').click();
    await clearPad(pad);
  });

  let beforeTeaching: Measured | undefined;
  let tuned: { samplesBefore: number; samplesHeldOut: number; samplesAfter: number; rowsBefore: number; rowsAfter: number; rows: number } | undefined;

  it('reads my own handwriting (a 1 with a flag and a foot, a 9 like an "a", …) before it is taught', async function () {
    this.timeout(5 * 60_000);
    beforeTeaching = await measure(wb.page, pad);
    console.log(`      before teaching: ${beforeTeaching.correct}/${beforeTeaching.total} of my drawings read right; misread: ${beforeTeaching.misread.join(' ') || 'none'}`);
  });

  it('draw → correct → keep: five drawings of each digit, each kept with one click on its digit', async function () {
    this.timeout(10 * 60_000);
    const page = wb.page;
    await pad.locator('[data-testid=samples-count]').filter({ hasText: /^0$/ }).waitFor();
    assert.ok(await pad.locator('[data-testid=fine-tune]').isDisabled(), 'Fine-Tune is enabled without samples');
    let corrected = 0;
    let shot = false;
    for (let k = 0; k < TEACH_PER_DIGIT; k++) {
      for (let digit = 0; digit <= 9; digit++) {
        const count = Number(await pad.locator('[data-testid=samples-count]').innerText());
        await drawQuickly(page, pad, personalDigit(digit, k));
        const read = await explained(pad);
        // The predicted digit's button is the highlighted one: clicking it confirms, another corrects.
        assert.ok(await pad.locator(`[data-testid=label-${read.label}]`).evaluate((b) => b.classList.contains('predicted')));
        if (read.label !== digit) {
          corrected++;
          if (!shot) {
            shot = true;
            await publish(await screenshot(page, 'pad-correct'), 'pad-correct.png');
          }
        }
        await pad.locator(`[data-testid=label-${digit}]`).click();
        await pad.locator('[data-testid=samples-count]').filter({ hasText: new RegExp(`^${count + 1}$`) }).waitFor();
        await waitUntil(async () => (await previewPixels(pad)) === emptyPreview, 'the pad is cleared for the next drawing');
      }
    }
    console.log(`      kept ${10 * TEACH_PER_DIGIT} drawings, ${corrected} of them corrected`);
    assert.strictEqual(await pad.locator('[data-testid=sample]').count(), 10 * TEACH_PER_DIGIT);
    const csv = fs.readFileSync(path.join(workspace, '.digit-recognizer', 'my-digits.csv'), 'utf8').trim().split('\n');
    assert.strictEqual(csv.length, 1 + 10 * TEACH_PER_DIGIT);
    assert.deepStrictEqual(csv.slice(1, 11).map((l) => Number(l.split(',')[0])), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // A sample is deleted from its thumbnail (the newest: the last 9), and kept again with the key.
    await pad.locator('[data-testid=sample]').first().hover();
    await pad.locator('[data-testid=sample-delete]').first().click();
    await pad.locator('[data-testid=samples-count]').filter({ hasText: new RegExp(`^${10 * TEACH_PER_DIGIT - 1}$`) }).waitFor();
    await drawQuickly(page, pad, personalDigit(9, TEACH_PER_DIGIT - 1));
    await explained(pad);
    await page.keyboard.press('9');
    await pad.locator('[data-testid=samples-count]').filter({ hasText: new RegExp(`^${10 * TEACH_PER_DIGIT}$`) }).waitFor();
    assert.strictEqual(await pad.locator('[data-testid=sample]').first().getAttribute('data-label'), '9');
    await publish(await screenshot(page, 'pad-samples'), 'pad-samples.png');
  });

  it('reads my other drawings better at once, before any fine-tune (the memory of kept drawings), and says so', async function () {
    this.timeout(5 * 60_000);
    const before = beforeTeaching;
    assert.ok(before, 'the earlier steps did not run');
    const kept = await measure(wb.page, pad);
    console.log(`      right after keeping: ${kept.correct}/${kept.total} of my other drawings read right (before ${before.correct}/${before.total}); misread: ${kept.misread.join(' ') || 'none'}; e.g. "${kept.memory[0] ?? ''}"`);
    assert.ok(kept.correct > before.correct, `my other drawings: ${before.correct} → ${kept.correct} of ${kept.total} with 5 of each digit kept`);
    // The pad says when its memory took part, in words naming the kept digit.
    assert.ok(kept.memory.length > 0 && kept.memory.every((m) => /(Like|Near) (one|\d+) of your kept \ds/.test(m)), `the memory's words: ${JSON.stringify(kept.memory)}`);
    // How it looks: a 1 in the personal style (flag and foot), read with the memory's words.
    await drawQuickly(wb.page, pad, personalDigit(1, 100));
    await explained(pad);
    await screenshot(wb.page, 'pad-memory');
    await clearPad(pad);
  });

  it('Fine-Tune on My Drawings from the pad: progress, then "<base> + my digits" is active, with before → after', async function () {
    this.timeout(6 * 60_000);
    const page = wb.page;
    const base = await pad.locator('[data-testid=model-name]').innerText();
    const button = pad.locator('[data-testid=fine-tune]');
    assert.ok(await button.isEnabled(), 'Fine-Tune is disabled with 50 samples');
    await button.click();
    await pad.locator('[data-testid=fine-tune-status][data-state=running]').filter({ hasText: /Pass \d+\/\d+/ }).waitFor({ timeout: 2 * 60_000 });
    await screenshot(page, 'pad-fine-tuning');
    const done = pad.locator('[data-testid=fine-tune-status][data-state=done]');
    await done.waitFor({ timeout: 5 * 60_000 });
    const status = await done.innerText();
    console.log(`      ${status}`);
    await pad.locator('[data-testid=model-name]').filter({ hasText: `${base} + my digits` }).waitFor();
    const m = /held-out drawings (\d+)\/(\d+) → (\d+)\/\d+ · held-out train\.csv rows (\d+\.\d+)% → (\d+\.\d+)% \((\d+)\)/.exec(status);
    assert.ok(m, `status: ${status}`);
    tuned = { samplesBefore: +m[1], samplesHeldOut: +m[2], samplesAfter: +m[3], rowsBefore: +m[4], rowsAfter: +m[5], rows: +m[6] };
    assert.strictEqual(tuned.samplesHeldOut, 10);
    assert.strictEqual(tuned.rows, Math.round(TRAIN_ROWS * 0.1));
    await waitForNotification(page, /Fine-tuned ".* \+ my digits"/);
    await publish(await screenshot(page, 'pad-fine-tuned'), 'pad-fine-tuned.png');
    await runCommand(page, 'Notifications: Clear All Notifications');
  });

  it('reads my other drawings better afterwards, and held-out train.csv rows no worse than 0.2 points', async function () {
    this.timeout(5 * 60_000);
    const before = beforeTeaching;
    assert.ok(before && tuned, 'the earlier steps did not run');
    const after = await measure(wb.page, pad);
    console.log(`      after fine-tuning: ${after.correct}/${after.total} of my other drawings read right (before ${before.correct}/${before.total}); misread: ${after.misread.join(' ') || 'none'}`);
    const record = { date: new Date().toISOString(), before, after, heldOutDrawings: { before: tuned.samplesBefore, after: tuned.samplesAfter, of: tuned.samplesHeldOut }, heldOutTrainRows: { before: tuned.rowsBefore, after: tuned.rowsAfter, of: tuned.rows } };
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS_DIR, 'fine-tune-e2e.json'), JSON.stringify(record, null, 2));
    assert.ok(after.correct > before.correct, `my other drawings: ${before.correct} → ${after.correct} of ${after.total}`);
    assert.ok(tuned.rowsAfter >= tuned.rowsBefore - 0.2, `held-out train.csv rows: ${tuned.rowsBefore}% → ${tuned.rowsAfter}%`);
  });

  it('looks right in the dark and light themes (screenshots)', async function () {
    const page = wb.page;
    await clearPad(pad);
    await draw(page, pad, DIGIT_STROKES[3]);
    const read = await settledPrediction(page, pad);
    assert.strictEqual(read.label, 3);
    await page.mouse.move(5, 400); // no hover effects in the picture
    await publish(await screenshot(page, 'pad-dark'), 'pad-dark.png');

    // Switch the colour theme as a person does: Preferences: Color Theme, pick Light Modern.
    await runCommandKeepOpen(page, 'Preferences: Color Theme');
    await page.locator('.quick-input-widget input').fill('Light Modern');
    await quickPickRow(page, 'Light Modern').click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.locator('.monaco-workbench.vs').waitFor();
    await pad.locator('body.vscode-light').waitFor();
    // The drawing and the prediction survive the theme change.
    assert.strictEqual((await settledPrediction(page, pad)).label, 3);
    await page.mouse.move(5, 400);
    await page.waitForTimeout(500); // the ink is repainted in the theme's colour on the next frame
    await publish(await screenshot(page, 'pad-light'), 'pad-light.png');
  });

  it('generates a submission for test.csv from the palette', async function () {
    this.timeout(5 * 60_000);
    const page = wb.page;
    const submission = path.join(workspace, 'submission.csv');
    // Focus was in the pad (the last clicks were there); a person clicks elsewhere, e.g. the explorer.
    const explorer = (await page.locator('.explorer-folders-view').boundingBox())!;
    await page.mouse.click(explorer.x + explorer.width / 2, explorer.y + explorer.height - 10); // its empty part
    await commandThenPick(page, 'Digit Recognizer: Generate Submission', 'test.csv');
    const done = await waitForNotification(page, /Wrote 200 predictions to submission\.csv/, 4 * 60_000);
    console.log(`      ${/Wrote [^\n]*/.exec(done)![0]}`);
    await page.locator('.tabs-container .tab', { hasText: 'submission.csv' }).waitFor();
    const lines = fs.readFileSync(submission, 'utf8').split(/\r?\n/).filter((l) => l !== '');
    assert.strictEqual(lines.length, 1 + TEST_ROWS);
    assert.strictEqual(lines[0], 'ImageId,Label');
    lines.slice(1).forEach((l, i) => assert.match(l, new RegExp(`^${i + 1},[0-9]$`)));
    await screenshot(page, 'submission');
  });

  it('submits it to Kaggle from the palette and shows the public score (a stand-in kaggle)', async function () {
    this.timeout(3 * 60_000);
    const page = wb.page;
    // (Generate Submission's notification has the same button, but it may have faded by now.)
    await runCommand(page, 'Digit Recognizer: Submit to Kaggle');
    // The confirmation names the file and the model that made it.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Submit submission\.csv \(predictions of "[^"]+"\) to Kaggle's Digit Recognizer\?/);
    await dialog.getByRole('button', { name: 'Submit' }).click();
    const scored = await waitForNotification(page, /Kaggle public score: 0\.98765 for submission\.csv/, 2 * 60_000);
    console.log(`      ${/Kaggle public score[^\n]*/.exec(scored)![0]}`);
    const submitCall = kaggle.calls().find((c) => c[1] === 'submit');
    assert.deepStrictEqual(submitCall?.slice(0, 6), ['competitions', 'submit', '-c', 'digit-recognizer', '-f', path.join(workspace, 'submission.csv')]);
    await screenshot(page, 'kaggle-score');
    await runCommand(page, 'Notifications: Clear All Notifications');
  });

  it('comes back after a window reload with its drawing and its reading, and stays one pad', async function () {
    this.timeout(5 * 60_000);
    const page = wb.page;
    // The submission's editor hid the pad; shown again, its webview is a new frame (it keeps no
    // context when hidden and restores its drawing from its state).
    await runCommand(page, 'Digit Recognizer: Open Digit Pad');
    pad = await findWebviewFrame(page, async (f) => await f.locator('[data-testid=pad-canvas]').isVisible(), 60_000);
    await clearPad(pad);
    await draw(page, pad, DIGIT_STROKES[7]);
    const before = await explained(pad);
    const ink = await previewPixels(pad);
    // Reloaded as a person does (a page reload of the browser does not give the workbench the
    // time to keep the webview's state; Developer: Reload Window does).
    const reloaded = page.waitForEvent('load', { timeout: 120_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await waitForWorkbench(page);
    // The pad's serializer brings it back; its strokes come from the webview's own state.
    pad = await findWebviewFrame(page, async (f) => await f.locator('[data-testid=pad-canvas]').isVisible(), 120_000);
    await waitUntil(async () => (await previewPixels(pad)) !== emptyPreview, 'the restored pad shows a drawing', 60_000);
    const restored = await previewPixels(pad);
    // Strokes are saved to 4 decimals of the pad's side: the model input may differ by a rounding here and there.
    const changed = [...restored].filter((c, i) => c !== ink[i]).length;
    assert.ok(changed < 40, `the restored drawing differs in ${changed} of 784 input pixels`);
    assert.strictEqual((await explained(pad)).label, before.label, 'the restored drawing reads as before');
    await runCommand(page, 'Digit Recognizer: Open Digit Pad');
    await page.waitForTimeout(1000);
    assert.strictEqual(await page.locator('.tabs-container .tab', { hasText: 'Digit Pad' }).count(), 1, 'a second pad opened after the reload');
  });

  it('learns from the test.csv beside train.csv when asked for this run: three stages, and how many rows it took', async function () {
    this.timeout(10 * 60_000);
    const page = wb.page;
    await runCommand(page, 'Notifications: Clear All Notifications');
    await commandThenPick(page, 'Digit Recognizer: Train Model', 'train.csv');
    // The workspace's architecture, epochs, batch size and augmentation; one network; learning from test.csv on.
    await changeForThisRun(page, { networks: 1, learnFromTestCsv: true });
    await waitForNotification(page, /Stage 3\/3 · Epoch \d\/2 · batch/, 5 * 60_000);
    const done = await waitForNotification(page, /Trained "/, 8 * 60_000);
    console.log(`      ${/Trained "[^\n]*/.exec(done)![0]}`);
    assert.match(done, new RegExp(`It learned from \\d+ of ${TEST_ROWS} test\\.csv rows too \\(without them: \\d+\\.\\d\\d%\\)`));
    await runCommand(page, 'Notifications: Clear All Notifications');
  });

  it('offers recipes with their minutes here, and trains a model of three networks that the pad reads with, that writes a submission and submits it to Kaggle', async function () {
    this.timeout(15 * 60_000);
    const page = wb.page;
    await commandThenPick(page, 'Digit Recognizer: Train Model', 'train.csv');
    // The recipes, each with its estimated minutes on this machine and its measured accuracy.
    for (const recipe of ['Start training', 'Quick', 'Leaderboard']) {
      const row = await quickPickRow(page, recipe).innerText();
      assert.match(row, /(about \d+ (h|min)|under a minute)/, `${recipe}: ${row}`);
    }
    assert.match(await quickPickRow(page, 'Leaderboard').innerText(), /measured: /);
    await screenshot(page, 'recipes');
    await changeForThisRun(page, { networks: 3, learnFromTestCsv: false });
    await waitForNotification(page, /Stage 3\/3 · Epoch \d\/2 · batch/, 8 * 60_000);
    const done = await waitForNotification(page, /Trained "/, 10 * 60_000);
    console.log(`      ${/Trained "[^\n]*/.exec(done)![0]}`);
    assert.match(done, /validation accuracy \d+\.\d\d% \(3 networks averaged; alone \d+\.\d\d%, \d+\.\d\d%, \d+\.\d\d%\)/);
    await runCommand(page, 'Notifications: Clear All Notifications');

    // The pad reads with the new model, and says it holds three networks.
    await runCommand(page, 'Digit Recognizer: Open Digit Pad');
    pad = await findWebviewFrame(page, async (f) => await f.locator('[data-testid=pad-canvas]').isVisible(), 60_000);
    await pad.locator('.model-accuracy', { hasText: '3 networks' }).waitFor({ timeout: 30_000 });
    await clearPad(pad);
    await draw(page, pad, DIGIT_STROKES[3]);
    assert.strictEqual((await settledPrediction(page, pad)).label, 3);
    await screenshot(page, 'three-networks');

    // Its submission, and Submit to Kaggle with it.
    const explorer = (await page.locator('.explorer-folders-view').boundingBox())!;
    await page.mouse.click(explorer.x + explorer.width / 2, explorer.y + explorer.height - 10);
    fs.rmSync(path.join(workspace, 'submission.csv'));
    await commandThenPick(page, 'Digit Recognizer: Generate Submission', 'test.csv');
    await waitForNotification(page, /Wrote 200 predictions to submission\.csv/, 4 * 60_000);
    const submissions = () => kaggle.calls().filter((c) => c[1] === 'submit').length;
    const before = submissions();
    await runCommand(page, 'Digit Recognizer: Submit to Kaggle');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await waitForNotification(page, /Kaggle public score: 0\.98765 for submission\.csv/, 2 * 60_000);
    assert.strictEqual(submissions(), before + 1);
    const call = kaggle.calls().filter((c) => c[1] === 'submit').pop()!;
    assert.deepStrictEqual(call.slice(0, 6), ['competitions', 'submit', '-c', 'digit-recognizer', '-f', path.join(workspace, 'submission.csv')]);
    await runCommand(page, 'Notifications: Clear All Notifications');
  });

  it('Cancel during the second of two networks offers the finished one as a smaller model, and keeps it', async function () {
    this.timeout(10 * 60_000);
    const page = wb.page;
    await commandThenPick(page, 'Digit Recognizer: Train Model', 'train.csv');
    await changeForThisRun(page, { networks: 2, learnFromTestCsv: false });
    await waitForNotification(page, /Stage 2\/2 · Epoch 1\/2 · batch/, 8 * 60_000);
    const progress = page.locator('.notifications-toasts .notification-toast', { hasText: /Training seed model \(2 networks\)/ });
    await progress.hover();
    await progress.locator('a.monaco-button', { hasText: 'Cancel' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Stop training\? 1 of 2 networks are finished\./);
    await screenshot(page, 'keep-finished-networks');
    await dialog.getByRole('button', { name: 'Keep 1 Network' }).click();
    const done = await waitForNotification(page, /Trained "/, 4 * 60_000);
    console.log(`      ${/Trained "[^\n]*/.exec(done)![0]}`);
    assert.doesNotMatch(done, /networks averaged/, 'one network kept: a model of one');
    await runCommand(page, 'Notifications: Clear All Notifications');
  });
});

// --- helpers -----------------------------------------------------------------------------------

/**
 * Train Model's "Change for this run…", from its recipe pick: the seed architecture, `networks`
 * typed, epochs and batch size as the workspace sets them, augmentation on, learning from
 * test.csv on or off.
 */
async function changeForThisRun(page: Page, run: { networks: number; learnFromTestCsv: boolean }): Promise<void> {
  const title = (text: string) => page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor();
  await quickPickRow(page, 'Change for this run').click();
  await quickPickRow(page, 'seed').click();
  await title('Networks');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(run.networks));
  await page.keyboard.press('Enter');
  for (const field of ['Epochs', 'Batch size']) {
    await title(field);
    await page.keyboard.press('Enter');
  }
  await title('Augmentation');
  await quickPickRow(page, 'on').click();
  await title('Learn from test.csv too');
  await quickPickRow(page, run.learnFromTestCsv ? 'on' : 'off').click();
}

/** Runs a command from the palette whose own quick pick then opens in the same widget. */
async function runCommandKeepOpen(page: Page, title: string): Promise<void> {
  await (await waitForCommand(page, title)).click();
  // The next quick pick (the command's own) replaces the palette's rows.
  await paletteRow(page, title).waitFor({ state: 'detached' });
}

/**
 * Runs a command from the palette and picks `row` in the quick pick it shows. Retries once when
 * that quick pick closes by itself before it can be clicked (seen once in 4 runs when focus was
 * in a webview: VS Code hands focus back to the webview after the palette closes, and the
 * command's quick pick, not ignoreFocusOut, closes on the blur); the retry is logged.
 */
async function commandThenPick(page: Page, title: string, row: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommandKeepOpen(page, title);
    try {
      await quickPickRow(page, row).click({ timeout: 15_000 });
      return;
    } catch (err) {
      if (attempt === 2 || (await page.locator('.quick-input-widget').isVisible())) throw err;
      console.log(`      (the quick pick of "${title}" closed by itself before "${row}" could be picked: running it again)`);
      await screenshot(page, `quick-pick-closed-${title}`);
    }
  }
}

/** A row of the open quick pick whose label contains `text`. */
function quickPickRow(page: Page, text: string) {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: text }) }).first();
}


/**
 * Draws strokes with the mouse on the pad's canvas. Points are in unit coordinates of the canvas;
 * the canvas's bounding box from its frame is in page coordinates, which page.mouse uses.
 */
async function draw(page: Page, frame: Frame, strokes: Stroke[], steps = 3): Promise<void> {
  const box = await frame.locator('[data-testid=pad-canvas]').boundingBox();
  assert.ok(box && box.width > 100, `pad canvas box: ${JSON.stringify(box)}`);
  const at = ([x, y]: [number, number]): [number, number] => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps });
    await page.mouse.up();
  }
}

/**
 * Draws a personal-style digit as a quicker hand would: every other point of its strokes, one
 * mouse move each (the pad smooths the path with curves either way). About a second a digit.
 */
function drawQuickly(page: Page, frame: Frame, strokes: Stroke[]): Promise<void> {
  return draw(page, frame, strokes.map((s) => s.filter((_, i) => i % 2 === 0 || i === s.length - 1)), 1);
}

async function clearPad(frame: Frame): Promise<void> {
  const clear = frame.locator('[data-testid=clear]');
  if (await clear.isEnabled()) await clear.click();
  await waitUntil(async () => (await previewPixels(frame)) === emptyPreview, 'the pad is empty after Clear');
}

const emptyPreview = '0'.repeat(784);

/** The 28×28 model input shown beside the prediction, as a string of 784 gray levels (base 36). */
function previewPixels(frame: Frame): Promise<string> {
  return frame.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=input-preview]')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, 28, 28).data;
    let s = '';
    for (let i = 0; i < 784; i++) s += Math.min(35, Math.round(data[i * 4] / 7.3)).toString(36);
    return s;
  });
}

interface Read {
  label: number;
  /** The pad's displayed probabilities, e.g. '99.8%'. */
  probabilities: string[];
}

/**
 * The prediction once it has settled: predictions arrive while the pen moves and a last one
 * after it lifts, so this waits until the shown digit and all ten percentages stop changing
 * (seven identical reads in a row, 250 ms apart).
 */
async function settledPrediction(page: Page, frame: Frame, timeoutMs = 60_000): Promise<Read> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let same = 0;
  for (;;) {
    const snapshot = await frame.evaluate(() =>
      JSON.stringify({
        label: document.querySelector('[data-testid=prediction]')?.textContent ?? '',
        probabilities: Array.from(document.querySelectorAll('.probs .pct'), (e) => e.textContent ?? ''),
      }),
    );
    const now = JSON.parse(snapshot) as { label: string; probabilities: string[] };
    if (now.label !== '' && snapshot === last) {
      if (++same >= 6) return { label: Number(now.label), probabilities: now.probabilities };
    } else {
      same = 0;
      last = snapshot;
    }
    if (Date.now() > deadline) {
      const error = await frame.locator('[data-testid=error]').innerText().catch(() => '');
      throw new Error(`no settled prediction within ${timeoutMs} ms (last: ${snapshot}${error ? `; error: ${error}` : ''})`);
    }
    await page.waitForTimeout(250);
  }
}

interface Measured {
  correct: number;
  total: number;
  /** "drew 9 read 0" for each miss. */
  misread: string[];
  /** What the pad said its memory of kept drawings contributed, for the reads where it did ("Like 3 of your kept 1s"). */
  memory: string[];
}

/** Draws MEASURE_PER_DIGIT other drawings of each digit in the personal style (never taught) and counts what the pad reads right. */
async function measure(page: Page, frame: Frame): Promise<Measured> {
  const result: Measured = { correct: 0, total: 0, misread: [], memory: [] };
  for (let k = 100; k < 100 + MEASURE_PER_DIGIT; k++) {
    for (let digit = 0; digit <= 9; digit++) {
      await clearPad(frame);
      await drawQuickly(page, frame, personalDigit(digit, k));
      const read = await explained(frame);
      const memory = (await frame.locator('[data-testid=memory]').innerText()).trim();
      if (memory) result.memory.push(memory);
      result.total++;
      if (read.label === digit) result.correct++;
      else result.misread.push(`${digit}→${read.label}`);
    }
  }
  await clearPad(frame);
  return result;
}

/**
 * The prediction for the finished drawing, with its "see why" text: waits until the pen is up,
 * the answer to the last request is shown and it carries its map (asked for on pen-up).
 */
async function explained(frame: Frame, timeoutMs = 60_000): Promise<{ label: number; why: string }> {
  await frame.waitForFunction(
    () => {
      const app = document.getElementById('app')!;
      return !app.classList.contains('drawing') && !!app.dataset.sent && app.dataset.sent === app.dataset.shown && app.classList.contains('has-why');
    },
    undefined,
    { timeout: timeoutMs, polling: 50 },
  );
  return { label: Number(await frame.locator('[data-testid=prediction]').innerText()), why: await frame.locator('[data-testid=saliency-text]').innerText() };
}

/** How much of a canvas is painted (alpha > 0): count, centroid and a signature of its pixels. */
function canvasInk(frame: Frame, testid: string): Promise<{ painted: number; x: number; y: number; width: number; signature: string }> {
  return frame.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid=${id}]`)!;
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    let painted = 0;
    let sx = 0;
    let sy = 0;
    let signature = 0;
    for (let i = 0; i < width * height; i++) {
      const a = data[i * 4 + 3];
      if (a > 0) {
        painted++;
        sx += i % width;
        sy += Math.floor(i / width);
      }
      signature = (Math.imul(signature, 31) + data[i * 4] + 7 * data[i * 4 + 2] + 13 * a) | 0;
    }
    return { painted, x: painted ? sx / painted : 0, y: painted ? sy / painted : 0, width, signature: String(signature) };
  }, testid);
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
