// The Train Model command and `digit-recognizer train` must train the same default recipe: the
// extension's settings (package.json) default to exactly the engine's DEFAULT_TRAIN_SETTINGS.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../../src/shared/training';

const SETTING_FOR: Record<keyof TrainSettings, string> = {
  arch: 'architecture',
  epochs: 'epochs',
  batchSize: 'batchSize',
  learningRate: 'learningRate',
  schedule: 'learningRateSchedule',
  validationSplit: 'validationSplit',
  augment: 'augment',
  labelSmoothing: 'labelSmoothing',
  emaDecay: 'emaDecay',
  seed: 'seed',
  threads: 'trainingThreads',
};

describe('default training recipe', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

  for (const [key, setting] of Object.entries(SETTING_FOR) as Array<[keyof TrainSettings, string]>) {
    it(`digitRecognizer.${setting} defaults to the CLI's ${key} (${DEFAULT_TRAIN_SETTINGS[key]})`, () => {
      const property = properties[`digitRecognizer.${setting}`];
      assert.ok(property, `package.json has no digitRecognizer.${setting} setting`);
      assert.equal(property.default, DEFAULT_TRAIN_SETTINGS[key]);
    });
  }
});
