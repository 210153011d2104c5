// End-to-end: what a person does with the extension, in a real VS Code (code-server) in Chromium.
// Train a model from the command palette on a slice of Kaggle's train.csv, draw every digit 0–9
// on the Digit Pad with the mouse and check what the model reads, undo and clear, screenshot the
// pad in the dark and light themes, write a submission; and, separately, install the packaged
// .vsix, list its commands and open the pad (this needs no data: it is also the smoke test).
//
// The screenshots for the README (docs/images/*.png) are refreshed from test-artifacts/ when
// UPDATE_README_IMAGES=1. The data slices are made at test time in a temporary workspace; nothing from the data is
// committed.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../scripts/codeServer';
import { requireData, slice, tempDir } from '../support/data';
import { DIGIT_STROKES, type Stroke } from './digitStrokes';
import { findWebviewFrame, openWorkbench, paletteRow, runCommand, screenshot, waitForCommand, waitForNotification, Workbench, publishScreenshot as publish } from './workbench';

const TRAIN_ROWS = 7000;
const TEST_ROWS = 200;

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
  let vsixDir: string | undefined;

  after(async function () {
    await wb?.close();
    if (vsixDir) fs.rmSync(vsixDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `failed-${this.currentTest.fullTitle()}`);
  });

  it('installs, lists its commands, and its Digit Pad opens and says "No model yet"', async function () {
    this.timeout(10 * 60_000);
    // Package like `npm run package` does (vsce, with the production build and .vscodeignore),
    // into a temporary folder so the project's own .vsix is left alone. The README's images are
    // relative links (docs/images), which vsce refuses to rewrite without a GitHub/GitLab
    // repository URL: --no-rewrite-relative-links keeps them relative (they resolve inside the
    // installed extension's folder).
    vsixDir = tempDir('digit-e2e-vsix-');
    const vsix = path.join(vsixDir, 'digit-recognizer.vsix');
    execFileSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-rewrite-relative-links', '--out', vsix], { cwd: PROJECT_ROOT, stdio: 'pipe' });
    wb = await openWorkbench({ mode: 'vsix', vsix, theme: 'Default Dark Modern' });
    const page = wb.page;

    await waitForCommand(page, 'Digit Recognizer: Open Digit Pad');
    // The list is virtual (only the rows in view exist): look for each command by its title.
    for (const title of ['Train Model', 'Open Digit Pad', 'Generate Submission', 'Get Started', 'Install Native TensorFlow']) {
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

  before(async function () {
    const data = requireData(this);
    // A folder with a plain name: it shows in the window title of the README's screenshots.
    workspace = path.join(tempDir('digit-e2e-'), 'digit-recognizer');
    fs.mkdirSync(workspace);
    fs.copyFileSync(await slice(data, 'train.csv', TRAIN_ROWS), path.join(workspace, 'train.csv'));
    fs.copyFileSync(await slice(data, 'test.csv', TEST_ROWS), path.join(workspace, 'test.csv'));
    wb = await openWorkbench({ folder: workspace, theme: 'Default Dark Modern', settings: TRAINING_SETTINGS });
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
    assert.match(description, /seed/, `the settings shown: ${description}`);
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
    assert.match((await log.innerText()).replace(/\s+/g, ' '), /Extension host: the workspace's machine \(remote "127\.0\.0\.1:\d+", linux-x64, Node [\d.]+\): data is read and models are trained there; the UI runs in a browser\./);
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
});

// --- helpers -----------------------------------------------------------------------------------

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
async function draw(page: Page, frame: Frame, strokes: Stroke[]): Promise<void> {
  const box = await frame.locator('[data-testid=pad-canvas]').boundingBox();
  assert.ok(box && box.width > 100, `pad canvas box: ${JSON.stringify(box)}`);
  const at = ([x, y]: [number, number]): [number, number] => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 3 });
    await page.mouse.up();
  }
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

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
