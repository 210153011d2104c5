// A stand-in for the official `kaggle` command-line tool, the one part of the Kaggle round trip
// these machines cannot reach (kaggle.com). `makeKaggleStandIn` writes an executable `kaggle`
// into a folder with its configuration beside it; the stand-in records every call's arguments
// and answers as the real tool does: `competitions download` writes digit-recognizer.zip (made
// here from the given CSVs), `competitions submit` keeps the submission, `competitions submissions
// --csv` lists them with a score after `pendingPolls` listings. A `failure` makes every call fail
// with what the real tool prints in that case.
import * as fs from 'fs';
import * as path from 'path';
import { zipSync } from 'fflate';

export interface StandInConfig {
  /** Files zipped by `competitions download` (name in the zip → path). */
  files?: Record<string, string>;
  publicScore?: number;
  /** Listings that show a new submission as pending before it is scored. */
  pendingPolls?: number;
  failure?: 'no-token' | 'forbidden' | 'offline';
  /** `competitions submissions` prints a page instead of its CSV (exit 0). */
  garbledListing?: boolean;
  /** Seconds `competitions download` takes (to test cancelling). */
  downloadSeconds?: number;
}

export interface StandIn {
  /** The `kaggle` executable. */
  command: string;
  /** The arguments of each call so far. */
  calls(): string[][];
}

const SCRIPT = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const here = __dirname;
const config = JSON.parse(fs.readFileSync(path.join(here, 'standin.json'), 'utf8'));
const args = process.argv.slice(2);
fs.appendFileSync(path.join(here, 'calls.jsonl'), JSON.stringify(args) + '\\n');
const fail = { 'no-token': "OSError: Could not find kaggle.json. Make sure it's located in /home/user/.kaggle. Or use the environment method.", forbidden: '403 - Forbidden - You must accept this competition\\'s rules before you\\'ll be able to download files', offline: "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='www.kaggle.com', port=443): Max retries exceeded" }[config.failure];
if (fail) { console.error(fail); process.exit(1); }
const option = (name) => args[args.indexOf(name) + 1];
const state = path.join(here, 'submissions.json');
const submissions = fs.existsSync(state) ? JSON.parse(fs.readFileSync(state, 'utf8')) : [];
if (args[0] !== 'competitions' || option('-c') !== 'digit-recognizer') { console.error('usage: kaggle competitions ... -c digit-recognizer'); process.exit(2); }
if (args[1] === 'download') {
  console.log('Downloading digit-recognizer.zip to ' + option('-p'));
  setTimeout(() => { fs.copyFileSync(path.join(here, 'digit-recognizer.zip'), path.join(option('-p'), 'digit-recognizer.zip')); console.log('100%|##########| 15.3M/15.3M'); }, (config.downloadSeconds || 0) * 1000);
} else if (args[1] === 'submit') {
  if (!fs.existsSync(option('-f'))) { console.error('FileNotFoundError: ' + option('-f')); process.exit(1); }
  submissions.unshift({ fileName: path.basename(option('-f')), date: new Date().toISOString(), description: option('-m'), polls: 0 });
  fs.writeFileSync(state, JSON.stringify(submissions));
  console.log('100%|##########| 208k/208k\\nSuccessfully submitted to Digit Recognizer');
} else if (args[1] === 'submissions' && config.garbledListing) {
  console.log('<html><body>503 Service Unavailable</body></html>');
} else if (args[1] === 'submissions') {
  console.log('Warning: Looks like you are using an outdated API Version, please consider updating (server 1.6.17 / client 1.6.6)');
  console.log('fileName,date,description,status,publicScore,privateScore');
  for (const s of submissions) {
    const scored = s.polls++ >= (config.pendingPolls || 0);
    const quote = (t) => '"' + String(t).replace(/"/g, '""') + '"';
    console.log([s.fileName, s.date, quote(s.description), scored ? 'SubmissionStatus.COMPLETE' : 'SubmissionStatus.PENDING', scored ? config.publicScore : '', ''].join(','));
  }
  fs.writeFileSync(state, JSON.stringify(submissions));
} else { console.error('unknown command'); process.exit(2); }
`;

/** Writes the stand-in into `folder` (created) and returns its command. */
export function makeKaggleStandIn(folder: string, config: StandInConfig): StandIn {
  fs.mkdirSync(folder, { recursive: true });
  const command = path.join(folder, 'kaggle');
  fs.writeFileSync(command, SCRIPT, { mode: 0o755 });
  fs.writeFileSync(path.join(folder, 'standin.json'), JSON.stringify(config));
  // The competition's zip, as kaggle.com serves it, made here once.
  fs.writeFileSync(path.join(folder, 'digit-recognizer.zip'), zipSync(Object.fromEntries(Object.entries(config.files ?? {}).map(([name, file]) => [name, new Uint8Array(fs.readFileSync(file))]))));
  return {
    command,
    calls: () => {
      const log = path.join(folder, 'calls.jsonl');
      return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]) : [];
    },
  };
}
