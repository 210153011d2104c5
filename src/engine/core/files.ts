// Writing the user's outputs without ever losing what is there: checks that run before a job
// starts (is the place writable, is what is there ours to replace), atomic replacement through a
// staging file, and file-system errors told in words with the user's own path.
//
// Staging names are `.<name>.<kind>-<pid>-<time>` beside the target: the pid says whether the
// process that made one is still alive, so leftovers of a killed process can be recognised and
// removed without touching a save that another live process has under way.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from './errors';
import { failpoint } from './failpoints';
import { isProcessAlive } from './lock';

/** What an fs error code means, in words. */
export function fsErrorWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EEXIST':
      return 'it already exists';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EBUSY':
      return 'it is in use by another program';
    case 'EXDEV':
      return 'it is on another drive';
    default:
      return code ? `${code}` : err instanceof Error ? err.message : String(err);
  }
}

/** An InputError "Cannot <action> <path>: <cause in words>", for a failure on the user's path. */
export function fsError(err: unknown, action: string, userPath: string): InputError {
  if (err instanceof InputError) return err;
  return new InputError(`Cannot ${action} ${userPath}: ${fsErrorWords(err)}.`, userPath);
}

// --- staging names ------------------------------------------------------------------------------

/** tmp: a new version being written; old: the previous version moved aside; deleting: on its way out, never restored. */
export type StagingKind = 'tmp' | 'old' | 'deleting';

/** `.<name>.<kind>-<pid>-<time>` beside `target`. */
export function stagingPath(target: string, kind: StagingKind): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}-${Date.now()}`);
}

export interface Staged {
  path: string;
  kind: StagingKind;
  pid: number;
  time: number;
}

/** The staging entries of `target` in its folder, newest first. Also the older `<name>.old-…` (no dot) of earlier versions. */
export function listStaged(target: string): Staged[] {
  const dir = path.dirname(target);
  const name = path.basename(target);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^(?:\\.${escapeRegExp(name)}\\.(tmp|old|deleting)|${escapeRegExp(name)}\\.(old))-(\\d+)-(\\d+)$`);
  const staged: Staged[] = [];
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (m) staged.push({ path: path.join(dir, entry), kind: (m[1] ?? m[2]) as StagingKind, pid: Number(m[3]), time: Number(m[4]) });
  }
  return staged.sort((a, b) => b.time - a.time);
}

/** Staging entries left by processes that are gone (a killed or crashed save). */
export function deadStaged(target: string): Staged[] {
  return listStaged(target).filter((s) => !isProcessAlive(s.pid));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// --- durable writes -----------------------------------------------------------------------------

/** fsync a file or (on POSIX) a folder, so a rename or a write survives a power cut. */
export function fsyncPath(p: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; some file systems refuse fsync on one. Best effort there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes `data` to `file` and flushes it to disk before returning. */
export async function writeFileDurably(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.promises.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `data` atomically: a staging file beside it is written and flushed, then
 * renamed over it, so at every instant `file` holds either its old or its new content. A failure
 * removes the staging file and is reported with the user's path in words. Staging files that
 * killed processes left beside `file` are removed first.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, what = 'write'): Promise<void> {
  checkCanReplace(file, what);
  removeDeadStaged(file);
  const tmp = stagingPath(file, 'tmp');
  try {
    await writeFileDurably(tmp, data);
    failpoint('file-write:temp-written');
    await fs.promises.rename(tmp, file);
    fsyncPath(path.dirname(file));
    failpoint('file-write:renamed');
  } catch (err) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw fsError(err, what, file);
  }
}

/** Writes a JSON file atomically (staging file, flush, rename); errors name `file` in words. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2));
}

/** SHA-256 of a file, streamed. */
export async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Removes what killed processes left staged beside `target` (files or folders). */
export function removeDeadStaged(target: string): void {
  for (const s of deadStaged(target)) fs.rmSync(s.path, { recursive: true, force: true });
}

// --- checks before a job starts ----------------------------------------------------------------

/**
 * A file the user made read-only is not replaced behind their back (a rename would replace it,
 * since only its folder's permissions matter to a rename), and its folder must accept files.
 */
export function checkCanReplace(file: string, what: string): void {
  if (fs.existsSync(file)) {
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch (err) {
      throw new InputError(`Cannot ${what} ${file}: the file is read-only (${fsErrorWords(err)}). Nothing was changed.`, file);
    }
  }
  checkCanWriteIn(path.dirname(file), file);
}

/** The nearest folder that exists at or above `p` (what a new file or folder would be made in). */
function nearestExistingFolder(p: string): string {
  let dir = path.resolve(p);
  for (;;) {
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (stat) {
      if (!stat.isDirectory()) throw new InputError(`Cannot write under ${dir}: it is a file, not a folder.`, dir);
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

/**
 * Proves `folder` (or, when it does not exist yet, the folder it would be made in) accepts new
 * files, by creating and removing a small probe file: permission bits, read-only mounts, ACLs and
 * full disks are all seen as the real write will see them. `userPath` names the output in errors.
 */
export function checkCanWriteIn(folder: string, userPath: string): void {
  const dir = nearestExistingFolder(folder);
  const probe = path.join(dir, `.digit-recognizer-probe-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(probe, '');
  } catch (err) {
    throw new InputError(`Cannot write ${userPath}: ${dir === path.resolve(folder) ? 'its folder' : `${dir}, where it would be made,`} does not accept new files (${fsErrorWords(err)}). Nothing was done.`, userPath);
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

export interface OutputFileRule {
  /** What the file is, for messages ("the submission"). */
  what: string;
  /** The first line of files this product writes there: only such a file may be replaced. */
  header: string;
  /** The file name used when none is given (suggested when a folder is given instead). */
  defaultName: string;
  /** The user confirmed replacing whatever is there (the extension asked). */
  replaceConfirmed?: boolean;
}

/**
 * Checks, before any work, that `file` can be written: its folder exists and accepts files, it
 * is not a folder, and an existing file is one this product wrote (its first line is `header`),
 * unless the user confirmed replacing it.
 */
export function checkOutputFile(file: string, rule: OutputFileRule): void {
  const folder = path.dirname(file);
  const folderStat = fs.statSync(folder, { throwIfNoEntry: false });
  if (!folderStat) throw new InputError(`Cannot write ${rule.what} to ${file}: the folder ${folder} does not exist.`, file);
  if (!folderStat.isDirectory()) throw new InputError(`Cannot write ${rule.what} to ${file}: ${folder} is a file, not a folder.`, file);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new InputError(`Cannot write ${rule.what} to ${file}: it is a folder; give a file name (e.g. ${path.join(file, rule.defaultName)}).`, file);
  if (stat && !rule.replaceConfirmed && firstLine(file) !== rule.header) {
    throw new InputError(`${file} exists and was not written by digit-recognizer (its first line is not "${rule.header}"); it was left as it is. Choose another output file, or move that one away first.`, file);
  }
  checkCanReplace(file, `write ${rule.what} to`);
}

function firstLine(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(4096);
    const text = buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    return text.split(/\r?\n/)[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
