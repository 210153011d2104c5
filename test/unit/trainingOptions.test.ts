// One home for the training options (TRAIN_OPTIONS, src/shared/training.ts): everything derived
// from it follows it — the engine's check, package.json's settings, README's table, the CLI's
// flags and help, the extension's settings reader, the dashboard's message check — and the files
// that cannot import it (package.json, README) fail here when edited on one side only.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { firstInvalidOption, manifestEntry, rangeText, type OptionSchema } from '../../src/shared/options';
import {
  DEFAULT_FINE_TUNE_SETTINGS,
  DEFAULT_TRAIN_SETTINGS,
  FINE_TUNE_OPTIONS,
  fineTuneSettingsProblem,
  settingName,
  TRAIN_OPTION_KEYS,
  TRAIN_OPTIONS,
  trainSettingsFrom,
  trainSettingsProblem,
  validTrainSettingsIn,
  type FineTuneSettings,
  type TrainOptionKey,
  type TrainSettings,
} from '../../src/shared/training';
import { checkDashboardToWebview } from '../../src/shared/dashboardMessages';
import { flagOf } from '../../src/cli/args';
import { parseTrainArgs, TRAIN_HELP } from '../../src/cli/train';
import { MANIFEST, optionsTable, README, syncedProperties, TABLE_END, TABLE_START } from '../../scripts/syncTrainingOptions';
import { invalidValues, otherValidValue } from '../support/options';

// The settings types are the schema's, exactly (a compile-time check: `npm run typecheck` fails
// otherwise): one key per option, an enum's values, a boolean, a number.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const settingsTypesAreExact: [
  Equal<keyof TrainSettings, TrainOptionKey>,
  Equal<TrainSettings['arch'], 'default' | 'seed'>,
  Equal<TrainSettings['schedule'], 'onecycle' | 'constant'>,
  Equal<TrainSettings['augment'], boolean>,
  Equal<TrainSettings['labelSmoothing'], number>,
  Equal<keyof FineTuneSettings, keyof typeof FINE_TUNE_OPTIONS>,
  Equal<FineTuneSettings['augment'], boolean>,
  Equal<FineTuneSettings['replayShare'], number>,
] = [true, true, true, true, true, true, true, true];

/** Settings that are not training options. */
const OTHER_SETTINGS = ['showDashboardOnTrain', 'learnFromTestCsv', 'rememberKeptDrawings', 'backend', 'npmPath', 'kagglePath'];

/** How package.json's entries differ from the schema's, one line per difference (empty when they match). */
function manifestDifferences(properties: Record<string, unknown>, schema: OptionSchema = TRAIN_OPTIONS): string[] {
  const differences: string[] = [];
  for (const key of TRAIN_OPTION_KEYS) {
    const name = `digitRecognizer.${settingName(key)}`;
    const expected = manifestEntry(schema[key]);
    try {
      assert.deepStrictEqual(properties[name], expected);
    } catch {
      differences.push(`${name} should be ${JSON.stringify(expected)}, is ${JSON.stringify(properties[name])}`);
    }
  }
  const known = new Set([...TRAIN_OPTION_KEYS.map((key) => `digitRecognizer.${settingName(key)}`), ...OTHER_SETTINGS.map((s) => `digitRecognizer.${s}`)]);
  for (const name of Object.keys(properties)) if (!known.has(name)) differences.push(`${name} is neither a training option (src/shared/training.ts) nor one of ${OTHER_SETTINGS.join(', ')}`);
  return differences;
}

describe('training options: one schema', () => {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  const properties: Record<string, unknown> = manifest.contributes.configuration.properties;

  it('types the settings exactly (compile time)', () => {
    assert.ok(settingsTypesAreExact.every(Boolean));
  });

  it('its defaults are valid and are DEFAULT_TRAIN_SETTINGS / DEFAULT_FINE_TUNE_SETTINGS', () => {
    assert.equal(trainSettingsProblem(DEFAULT_TRAIN_SETTINGS), undefined);
    assert.equal(fineTuneSettingsProblem(DEFAULT_FINE_TUNE_SETTINGS), undefined);
    for (const key of TRAIN_OPTION_KEYS) assert.equal(DEFAULT_TRAIN_SETTINGS[key], TRAIN_OPTIONS[key].default, key);
    assert.deepEqual(Object.keys(DEFAULT_TRAIN_SETTINGS), TRAIN_OPTION_KEYS);
  });

  describe("package.json's contributes.configuration matches it", () => {
    for (const key of TRAIN_OPTION_KEYS) {
      const name = `digitRecognizer.${settingName(key)}`;
      it(`${name}: type, default, range, enum and description are the schema's ${key}`, () => {
        assert.deepStrictEqual(properties[name], manifestEntry(TRAIN_OPTIONS[key]), `run \`npm run sync:options\` after editing src/shared/training.ts, or edit the schema instead of package.json`);
      });
    }

    it('declares no other setting than the training options and the known others', () => {
      assert.deepEqual(manifestDifferences(properties), []);
      assert.deepStrictEqual(syncedProperties(properties), properties, '`npm run sync:options` would change package.json');
    });

    it('fails when either side is edited alone', () => {
      const copy = structuredClone(properties) as Record<string, Record<string, unknown>>;
      copy['digitRecognizer.labelSmoothing'].maximum = 0.9;
      copy['digitRecognizer.epochs'].description = 'Edited in package.json only.';
      delete copy['digitRecognizer.trainingThreads'].minimum;
      copy['digitRecognizer.learningRateSchedule'].enum = ['onecycle', 'constant', 'step'];
      copy['digitRecognizer.dropout'] = { type: 'number', default: 0.5, description: 'Added in package.json only.' };
      const differences = manifestDifferences(copy);
      for (const name of ['labelSmoothing', 'epochs', 'trainingThreads', 'learningRateSchedule', 'dropout']) assert.ok(differences.some((d) => d.startsWith(`digitRecognizer.${name} `)), `${name} not reported: ${differences.join('\n')}`);
      const editedSchema: OptionSchema = { ...TRAIN_OPTIONS, seed: { ...TRAIN_OPTIONS.seed, default: 7 } };
      assert.match(manifestDifferences(properties, editedSchema).join('\n'), /^digitRecognizer\.seed should be .*"default":7/m);
    });
  });

  it("README's table of options is the schema's", () => {
    const readme = fs.readFileSync(README, 'utf8');
    const table = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    assert.equal(table, optionsTable(), 'run `npm run sync:options` after editing src/shared/training.ts');
    for (const key of TRAIN_OPTION_KEYS) assert.match(table, new RegExp(`\\| \`${settingName(key)}\` \\| \`--${flagOf(key, TRAIN_OPTIONS[key])}\\b`));
  });

  describe('the check (engine, extension, dashboard) accepts exactly the valid values', () => {
    for (const [name, schema, defaults] of [
      ['training', TRAIN_OPTIONS, DEFAULT_TRAIN_SETTINGS],
      ['fine-tune', FINE_TUNE_OPTIONS, DEFAULT_FINE_TUNE_SETTINGS],
    ] as Array<[string, OptionSchema, Record<string, unknown>]>) {
      it(`${name}: every option's bounds and other values, with a message naming the option and what it accepts`, () => {
        for (const [key, spec] of Object.entries(schema)) {
          assert.equal(firstInvalidOption(schema, { ...defaults, [key]: otherValidValue(spec) }), undefined, `${key} = ${otherValidValue(spec)}`);
          for (const value of invalidValues(spec)) {
            const invalid = firstInvalidOption(schema, { ...defaults, [key]: value });
            assert.equal(invalid?.key, key, `${key} = ${String(value)} accepted`);
            assert.match(invalid.problem, new RegExp(`^${spec.label.toLowerCase()} must be .+ \\(got `));
          }
          const missing: Record<string, unknown> = { ...defaults };
          delete missing[key];
          assert.equal(firstInvalidOption(schema, missing)?.key, key, `${key} missing`);
        }
      });
    }

    it('label smoothing: 0 to 0.5, as the Settings editor has always said (the engine took up to 1)', () => {
      assert.equal(trainSettingsProblem({ ...DEFAULT_TRAIN_SETTINGS, labelSmoothing: 0.5 }), undefined);
      assert.equal(trainSettingsProblem({ ...DEFAULT_TRAIN_SETTINGS, labelSmoothing: 0.6 }), 'label smoothing must be a number from 0 to 0.5 (got 0.6)');
      assert.equal(trainSettingsProblem({ ...DEFAULT_TRAIN_SETTINGS, validationSplit: 0.75 }), undefined, 'more than half held out (the Settings editor said at most 0.5)');
      assert.equal(trainSettingsProblem({ ...DEFAULT_TRAIN_SETTINGS, learningRate: 0 }), 'learning rate must be a number above 0, at most 1 (got 0)');
      assert.equal(trainSettingsProblem({ ...DEFAULT_TRAIN_SETTINGS, arch: 'big' as TrainSettings['arch'] }), 'architecture must be default or seed (got "big")');
    });

    it("the dashboard's message check takes each valid setting and names an invalid one", () => {
      const run = (settings: Record<string, unknown>) => ({ type: 'run', run: { name: 'n', status: 'saved', file: 'f', started: 'd', settings, history: { batchesPerEpoch: 1, count: 0, stride: 1, loss: [], accuracy: [] }, epochs: [] } });
      for (const key of TRAIN_OPTION_KEYS) {
        const spec = TRAIN_OPTIONS[key];
        const value = otherValidValue(spec);
        const ok = checkDashboardToWebview(run({ ...DEFAULT_TRAIN_SETTINGS, [key]: value }));
        assert.ok(ok.ok && ok.value.type === 'run' && (ok.value.run.settings as Record<string, unknown>)[key] === value, `${key} = ${value}`);
        if (key === 'arch') continue; // a saved model's architecture may be any name (an imported model's)
        for (const bad of invalidValues(spec)) {
          const refused = checkDashboardToWebview(run({ ...DEFAULT_TRAIN_SETTINGS, [key]: bad }));
          assert.ok(!refused.ok && refused.reason.startsWith(`settings.${key} is`), `${key} = ${String(bad)}: ${JSON.stringify(refused)}`);
        }
      }
      const imported = checkDashboardToWebview(run({ arch: 'keras' }));
      assert.ok(imported.ok && imported.value.type === 'run' && Object.keys(imported.value.run.settings).join() === 'arch');
    });

    it("a saved model's metadata gives the dashboard only the settings still valid", () => {
      assert.deepEqual(validTrainSettingsIn({ architecture: 'default', epochs: 3, labelSmoothing: 0.7, emaDecay: 0.999, seed: -1, formatVersion: 1 }), { epochs: 3, emaDecay: 0.999 });
    });
  });

  describe("the CLI's flags and help follow it", () => {
    it('no flag: the defaults', () => {
      assert.deepEqual(parseTrainArgs(['train.csv'])?.settings, DEFAULT_TRAIN_SETTINGS);
    });

    for (const key of TRAIN_OPTION_KEYS) {
      const spec = TRAIN_OPTIONS[key];
      const flag = `--${flagOf(key, spec)}`;
      it(`${flag}: in the help with its default and range, sets ${key}, refuses values outside it`, () => {
        const line = TRAIN_HELP.split('\n').findIndex((l) => l.startsWith(`  ${flag} `) || l === `  ${flag}`);
        assert.ok(line >= 0, `${flag} not in the help`);
        const entry = TRAIN_HELP.split('\n').slice(line, line + 3).join(' ').replace(/\s+/g, ' ');
        if (spec.type === 'boolean') {
          assert.match(entry, new RegExp(spec.help.replace(/[/]/g, '\\/')));
          assert.equal(parseTrainArgs(['train.csv', flag])?.settings[key], !spec.default);
          assert.throws(() => parseTrainArgs(['train.csv', `${flag}=yes`]), /--no-augment|Option/);
          return;
        }
        if (spec.type === 'string') assert.ok(entry.includes(`${flag} ${spec.enum.join('|')} `) && entry.includes(`(default: ${spec.default})`), entry);
        else assert.ok(entry.includes(`(${rangeText(spec)}; default: ${spec.default})`), `${flag}'s range and default in: ${entry}`);
        const value = otherValidValue(spec);
        assert.equal(parseTrainArgs(['train.csv', flag, String(value)])?.settings[key], value);
        for (const bad of invalidValues(spec).filter((v) => typeof v === 'number' && Number.isFinite(v))) {
          assert.throws(() => parseTrainArgs([`train.csv`, `${flag}=${bad}`]), (err: Error) => err.name === 'UsageError' && err.message.startsWith(`${flag} must be `) && err.message.endsWith(`(got "${bad}")`));
        }
        assert.throws(() => parseTrainArgs(['train.csv', flag, 'x']), (err: Error) => err.name === 'UsageError' && err.message.includes(flag));
      });
    }
  });

  describe("the extension's settings reader follows it", () => {
    it('reads each option under its setting name, the default when unset', () => {
      const asked: string[] = [];
      const settings = trainSettingsFrom((name) => void asked.push(name));
      assert.deepEqual(settings, DEFAULT_TRAIN_SETTINGS);
      assert.deepEqual(asked, TRAIN_OPTION_KEYS.map(settingName));
      for (const name of asked) assert.ok(`digitRecognizer.${name}` in properties, `digitRecognizer.${name} is read but not declared in package.json`);
    });

    it('gives each set value to its option', () => {
      const stored = new Map(TRAIN_OPTION_KEYS.map((key) => [settingName(key), otherValidValue(TRAIN_OPTIONS[key])]));
      const settings = trainSettingsFrom((name) => stored.get(name));
      for (const key of TRAIN_OPTION_KEYS) assert.equal(settings[key], stored.get(settingName(key)), key);
      assert.equal(trainSettingsProblem(settings), undefined);
    });

    it('an unknown enum value falls back to the default; any other value is kept for the check to name', () => {
      const settings = trainSettingsFrom((name) => ({ architecture: 'huge', labelSmoothing: 0.7, epochs: '12' })[name]);
      assert.equal(settings.arch, DEFAULT_TRAIN_SETTINGS.arch);
      assert.equal(settings.labelSmoothing, 0.7);
      assert.equal(firstInvalidOption(TRAIN_OPTIONS, settings)?.key, 'epochs');
      assert.equal(trainSettingsProblem({ ...settings, epochs: 12 }), 'label smoothing must be a number from 0 to 0.5 (got 0.7)');
    });
  });
});
