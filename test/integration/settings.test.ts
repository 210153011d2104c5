// The training options as a user sets them, read by the real extension host: each option of the
// schema (src/shared/training.ts) is a declared setting — update() refuses an undeclared one —
// the reader returns what was set, and a value outside an option's range stops Train Model before
// it starts, naming the setting.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { settingName, TRAIN_OPTION_KEYS, TRAIN_OPTIONS } from '../../src/shared/training';
import { trainSettingsFromConfig } from '../../src/extension/settings';
import { otherValidValue } from '../support/options';

const USER = vscode.ConfigurationTarget.Global;
const config = () => vscode.workspace.getConfiguration('digitRecognizer');

describe('training settings', function () {
  this.timeout(60_000);

  afterEach(async function () {
    for (const key of TRAIN_OPTION_KEYS) await config().update(settingName(key), undefined, USER);
  });

  it('every training option is a setting, read as set', async function () {
    for (const key of TRAIN_OPTION_KEYS) await config().update(settingName(key), otherValidValue(TRAIN_OPTIONS[key]), USER);
    const settings = trainSettingsFromConfig();
    for (const key of TRAIN_OPTION_KEYS) assert.strictEqual(settings[key], otherValidValue(TRAIN_OPTIONS[key]), `digitRecognizer.${settingName(key)}`);
  });

  it('a setting outside its range stops Train Model before it starts, naming the setting', async function () {
    await config().update('labelSmoothing', 0.7, USER);
    const result = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('digitRecognizer.trainModel', vscode.Uri.file('/nonexistent/train.csv'), { name: 'never trained' });
    assert.strictEqual(result.ok, false);
    assert.match(result.error ?? '', /label smoothing must be a number from 0 to 0\.5 \(got 0\.7\) \(setting digitRecognizer\.labelSmoothing\)/);
  });
});
