// The Kaggle round trip through the official `kaggle` command-line tool (pip install kaggle), which
// keeps the user's API token: download the competition's files into a folder, submit a file, and
// read back its public score. No `vscode` here (extension/commands/kaggle.ts asks and shows).
// Its failures become one sentence saying what to do (kaggleFailure).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unzip } from 'fflate';
import Papa from 'papaparse';
import { runTool } from '../engine/core/childProcess';
import { CancelledError, InputError, throwIfAborted } from '../engine/core/errors';
import { fsError } from '../engine/core/files';

export const COMPETITION = 'digit-recognizer';
/** The files Kaggle's Digit Recognizer gives, as `competitions download` zips them. */
export const COMPETITION_FILES = ['train.csv', 'test.csv', 'sample_submission.csv'] as const;

export const INSTALL_STEPS =
  'Install it with "pip install kaggle", then create an API token on kaggle.com (Settings → API → Create New Token) and put the kaggle.json it downloads in ~/.kaggle (or set KAGGLE_USERNAME and KAGGLE_KEY), or set digitRecognizer.kagglePath to the tool\'s full path.';

export interface KaggleRun {
  /** The kaggle command: a name on PATH or a path. */
  kaggle: string;
  signal?: AbortSignal;
  /** Every line the tool prints, for the log. */
  onLine?: (line: string) => void;
}

/** Runs `kaggle args`; its output when it succeeded, else an InputError saying what to do. */
async function kaggle(run: KaggleRun, args: string[], cwd?: string): Promise<string> {
  const { code, output } = await runTool(run.kaggle, args, {
    cwd,
    signal: run.signal,
    onLine: run.onLine,
    notFound: (err) => new InputError(`The kaggle command-line tool was not found ("${run.kaggle}"${err instanceof Error && (err as NodeJS.ErrnoException).code !== 'ENOENT' ? `: ${err.message}` : ''}). ${INSTALL_STEPS}`),
  });
  if (code !== 0) throw kaggleFailure(output, code);
  return output;
}

/** What a failed `kaggle` run means, from what it printed, in one message. */
export function kaggleFailure(output: string, code: number): InputError {
  const said = output.trim().split(/\r?\n/).filter(Boolean).pop() ?? '';
  if (/kaggle\.json|must authenticate|KAGGLE_USERNAME/i.test(output)) {
    return new InputError('kaggle has no API token. Create one on kaggle.com (Settings → API → Create New Token) and put the kaggle.json it downloads in ~/.kaggle, or set KAGGLE_USERNAME and KAGGLE_KEY.');
  }
  if (/\b401\b|Unauthorized/i.test(output)) return new InputError('Kaggle refused the API token (401 Unauthorized): it may have expired. Create a new one on kaggle.com (Settings → API → Create New Token) and replace ~/.kaggle/kaggle.json.');
  if (/\b403\b|Forbidden/i.test(output)) return new InputError(`Kaggle refused (403 Forbidden): accept the competition's rules first, at https://www.kaggle.com/competitions/${COMPETITION}/rules, with the account of your API token.`);
  if (/\b404\b|Not Found/i.test(output)) return new InputError(`Kaggle does not know the competition "${COMPETITION}" (404 Not Found).`);
  if (/Max retries|Name or service not known|NameResolution|getaddrinfo|ConnectionError|timed out/i.test(output)) return new InputError('kaggle could not reach kaggle.com: check the internet connection (and a proxy, if you use one).');
  return new InputError(`kaggle failed (exit code ${code})${said ? `: ${said}` : ''}`);
}

/**
 * Downloads the competition's files into `folder` (train.csv, test.csv, sample_submission.csv).
 * Never replaces a file: when one of them is already there nothing is downloaded, and each file
 * is linked into place only if its name is still free. The zip goes to a temporary folder that
 * is removed afterwards, also on failure or cancel.
 */
export async function downloadCompetitionData(run: KaggleRun, folder: string): Promise<{ files: string[] }> {
  const present = COMPETITION_FILES.filter((name) => fs.existsSync(path.join(folder, name)));
  if (present.length) throw new InputError(`${listed(present)} already ${present.length === 1 ? 'is' : 'are'} in ${folder}: nothing was downloaded (no file is replaced).`);
  const temp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'digit-recognizer-kaggle-'));
  const written: string[] = [];
  try {
    await kaggle(run, ['competitions', 'download', '-c', COMPETITION, '-p', temp], temp);
    const zip = path.join(temp, `${COMPETITION}.zip`);
    if (!fs.existsSync(zip)) throw new InputError(`kaggle finished but left no ${COMPETITION}.zip in ${temp}.`);
    // fflate's asynchronous unzip inflates on worker threads: the extension host stays free.
    const entries = await new Promise<Record<string, Uint8Array>>((resolve, reject) =>
      unzip(new Uint8Array(fs.readFileSync(zip)), { filter: (f) => (COMPETITION_FILES as readonly string[]).includes(f.name) }, (err, data) => (err ? reject(new InputError(`${COMPETITION}.zip from kaggle could not be unzipped: ${err.message}`)) : resolve(data))),
    );
    throwIfAborted(run.signal);
    const missing = ['train.csv', 'test.csv'].filter((name) => !entries[name]);
    if (missing.length) throw new InputError(`${COMPETITION}.zip from kaggle has no ${missing.join(' or ')}.`);
    for (const name of COMPETITION_FILES) {
      if (!entries[name]) continue;
      const target = path.join(folder, name);
      let handle: fs.promises.FileHandle;
      try {
        // 'wx' creates the file or fails if the name was taken meanwhile: no file of the user's is replaced.
        handle = await fs.promises.open(target, 'wx');
      } catch (err) {
        throw fsError(err, 'write', target);
      }
      written.push(target);
      try {
        await handle.writeFile(entries[name]);
      } catch (err) {
        throw fsError(err, 'write', target);
      } finally {
        await handle.close();
      }
    }
    return { files: written };
  } catch (err) {
    // Only what this run wrote goes, on failure or cancel.
    for (const file of written) await fs.promises.rm(file, { force: true });
    throw err;
  } finally {
    await fs.promises.rm(temp, { recursive: true, force: true });
  }
}

function listed(names: readonly string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Kaggle's test.csv has this many rows; a submission needs one prediction for each. */
export const TEST_ROWS = 28_000;

/** A submission file's rows, after checking it is one (its header is Kaggle's `ImageId,Label`): a refused upload still costs one of the day's submissions. */
export async function submissionRows(file: string): Promise<number> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    throw fsError(err, 'read', file);
  }
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  if (lines[0]?.replace(/^\uFEFF/, '') !== 'ImageId,Label') throw new InputError(`${file} is not a submission: its first line is "${(lines[0] ?? '').slice(0, 80)}", Kaggle expects "ImageId,Label".`);
  return lines.length - 1;
}

export interface Submission {
  fileName: string;
  date: string;
  description: string;
  status: string;
  publicScore?: number;
}

/** Submits `file` with `message` (which identifies it in the submissions list). */
export async function submit(run: KaggleRun, file: string, message: string): Promise<void> {
  await kaggle(run, ['competitions', 'submit', '-c', COMPETITION, '-f', file, '-m', message], path.dirname(file));
}

/** The account's submissions to the competition, newest first, as `kaggle competitions submissions --csv` lists them. */
export async function submissions(run: KaggleRun): Promise<Submission[]> {
  const output = await kaggle(run, ['competitions', 'submissions', '-c', COMPETITION, '--csv']);
  // The tool may print a warning (an outdated version) before the CSV.
  const start = output.search(/^fileName,/m);
  if (start < 0) throw new InputError(`kaggle listed the submissions in a form this extension does not read: ${output.trim().split(/\r?\n/)[0] ?? ''}`);
  const rows = Papa.parse<Record<string, string>>(output.slice(start).trim(), { header: true, skipEmptyLines: true }).data;
  return rows.map((r) => ({
    fileName: r.fileName ?? '',
    date: r.date ?? '',
    description: r.description ?? '',
    status: r.status ?? '',
    publicScore: r.publicScore !== undefined && r.publicScore !== '' && Number.isFinite(Number(r.publicScore)) ? Number(r.publicScore) : undefined,
  }));
}

/**
 * Waits until the submission described by `message` is scored (Kaggle scores this competition
 * in seconds to a minute): its public score, or undefined when it is still pending at `timeoutMs`.
 */
export async function waitForScore(run: KaggleRun, message: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Submission | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const mine = (await submissions(run)).find((s) => s.description === message);
    if (mine && /error/i.test(mine.status)) throw new InputError(`Kaggle could not score the submission (${mine.status}): open https://www.kaggle.com/competitions/${COMPETITION}/submissions for its message.`);
    if (mine?.publicScore !== undefined) return mine;
    if (Date.now() > deadline) return mine;
    await new Promise<void>((resolve, reject) => {
      const cancel = () => {
        clearTimeout(timer);
        reject(new CancelledError());
      };
      const timer = setTimeout(() => {
        run.signal?.removeEventListener('abort', cancel);
        resolve();
      }, options.intervalMs ?? 5_000);
      run.signal?.addEventListener('abort', cancel, { once: true });
    });
  }
}
