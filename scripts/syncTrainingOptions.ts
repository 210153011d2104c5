// Writes what is derived from the training options' schema (TRAIN_OPTIONS, src/shared/training.ts)
// into the files that cannot import it: package.json's `contributes.configuration` entries (the
// Settings editor) and README's table of options. `npm run sync:options` after editing the schema;
// test/unit/trainingOptions.test.ts fails while either file differs from what this writes.
import * as fs from 'fs';
import * as path from 'path';
import { flagOf } from '../src/cli/args';
import { manifestEntry, validText } from '../src/shared/options';
import { settingName, TRAIN_OPTION_KEYS, TRAIN_OPTIONS, type TrainOption } from '../src/shared/training';

const ROOT = path.resolve(__dirname, '..');
export const MANIFEST = path.join(ROOT, 'package.json');
export const README = path.join(ROOT, 'README.md');
export const TABLE_START = '<!-- training options: written by `npm run sync:options` from src/shared/training.ts -->';
export const TABLE_END = '<!-- end of training options -->';

/** `contributes.configuration.properties`: the training options' entries in schema order, then every other setting as it is. */
export function syncedProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const training = Object.fromEntries(TRAIN_OPTION_KEYS.map((key) => [`digitRecognizer.${settingName(key)}`, manifestEntry(TRAIN_OPTIONS[key])]));
  const others = Object.entries(properties).filter(([name]) => !(name in training));
  return { ...training, ...Object.fromEntries(others) };
}

/** README's table: each option's setting, flag, default, valid values and what it does. */
export function optionsTable(): string {
  const rows = TRAIN_OPTION_KEYS.map((key) => {
    const spec: TrainOption = TRAIN_OPTIONS[key];
    const flag = flagOf(key, spec);
    const value = spec.type === 'boolean' ? '' : spec.type === 'string' ? ` ${spec.enum.join('\\|')}` : spec.type === 'integer' ? ' N' : ' F';
    const valid = spec.type === 'string' ? spec.enum.map((v) => `\`${v}\``).join(' or ') : validText(spec);
    return `| \`${settingName(key)}\` | \`--${flag}${value}\` | \`${spec.default}\` | ${valid} | ${spec.help} |`;
  });
  return [TABLE_START, '| Setting (`digitRecognizer.*`) | `train` flag | Default | Valid | What it does |', '| --- | --- | --- | --- | --- |', ...rows, TABLE_END].join('\n');
}

/** README with its table of options replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no table of training options (between "${TABLE_START}" and "${TABLE_END}")`);
  return readme.slice(0, start) + table + readme.slice(end + TABLE_END.length);
}

function main(): void {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  manifest.contributes.configuration.properties = syncedProperties(manifest.contributes.configuration.properties);
  fs.writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(README, withTable(fs.readFileSync(README, 'utf8'), optionsTable()));
  console.log('package.json and README.md follow src/shared/training.ts');
}

if (require.main === module) main();
