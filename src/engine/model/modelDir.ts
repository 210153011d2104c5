// A model folder on disk as a transaction: model.json + weights.bin + metadata.json, saved so
// that at every instant the folder holds either the complete old model or the complete new one,
// and recovered on the next start after a crash or a kill at any point of a save.
//
// A save writes and flushes the new folder under a staging name beside the target
// (`.<name>.tmp-<pid>-<time>`), moves an existing target aside (`.<name>.old-…`), renames the new
// one into place and removes the old one. Between the two renames the target is briefly absent;
// `recoverModelDir`, which every reader of a model folder and the model store run first, puts back
// the complete new folder (or, when there is none, the complete old one) and removes the rest.
// Only folders the product made are ever replaced: an existing target must be empty or a model
// folder of ours (its metadata.json) holding nothing but the files we write.
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../core/errors';
import { failpoint } from '../core/failpoints';
import { checkCanWriteIn, deadStaged, fsError, fsyncPath, stagingPath, writeFileDurably } from '../core/files';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'metadata.json';
/** The files a model folder of ours holds. */
export const MODEL_FOLDER_FILES: readonly string[] = [MODEL_FILE, WEIGHTS_FILE, METADATA_FILE];

/** Largest model.json read (a layers model's topology is a few KB; a bigger file is not one). */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/**
 * The weight groups of a parsed model.json, checked: every path a plain file name or a path
 * inside the model's folder (never `..` or absolute), every spec a name, a dtype and a shape of
 * whole numbers. Throws InputError naming `label` otherwise.
 */
export function checkWeightsManifest(json: unknown, label: string): { paths: string[]; specs: WeightSpec[]; bytes: number } {
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest ?? [];
  const bad = (what: string) => new InputError(`${label}: ${what}`, label);
  if (!Array.isArray(manifest)) throw bad('"weightsManifest" is not a list');
  const paths: string[] = [];
  const specs: WeightSpec[] = [];
  let bytes = 0;
  for (const group of manifest) {
    if (!group || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw bad('a "weightsManifest" entry lacks its "paths" or "weights" list');
    for (const p of group.paths) {
      if (typeof p !== 'string' || !p || path.isAbsolute(p) || p.split(/[\\/]/).includes('..')) throw bad(`weights path ${JSON.stringify(p)} is not a file inside the model's folder`);
      paths.push(p);
    }
    for (const spec of group.weights) {
      const ok = spec && typeof spec === 'object' && typeof spec.name === 'string' && typeof spec.dtype === 'string' && Array.isArray(spec.shape) && spec.shape.every((d: unknown) => Number.isSafeInteger(d) && (d as number) >= 0);
      if (!ok) throw bad(`weight ${JSON.stringify(spec?.name ?? '?')} has no valid name, dtype and shape`);
      specs.push(spec as WeightSpec);
      bytes += (spec.shape as number[]).reduce((a, b) => a * b, 1) * bytesPerValue(spec);
    }
  }
  return { paths, specs, bytes };
}

export interface WeightSpec {
  name: string;
  dtype: string;
  shape: number[];
  quantization?: { dtype?: string };
}

/** True when `dir` holds a model.json whose weight files are all there at the sizes it describes, and a metadata.json of ours. */
export function isCompleteModelDir(dir: string): boolean {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILE), 'utf8'));
    if (!json || typeof json !== 'object' || !json.modelTopology) return false;
    const { paths, bytes } = checkWeightsManifest(json, dir);
    const actual = paths.reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0);
    return actual === bytes && isOurMetadata(path.join(dir, METADATA_FILE));
  } catch {
    return false;
  }
}

export function bytesPerValue(spec: { dtype?: string; quantization?: { dtype?: string } }): number {
  const q = spec.quantization?.dtype;
  if (q) return q === 'uint8' ? 1 : 2;
  return spec.dtype === 'bool' ? 1 : 4;
}

/** A metadata.json the product wrote: format version 1, a name and a creation date. */
function isOurMetadata(file: string): boolean {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8'));
    return !!value && value.formatVersion === 1 && typeof value.name === 'string' && typeof value.created === 'string';
  } catch {
    return false;
  }
}

/**
 * Checks, before any work starts, that a model may be saved at `dir`: it does not exist, is an
 * empty folder, or is a model folder of ours holding only our files (then it will be replaced);
 * and its folder accepts new files. Anything else is refused with what to do.
 */
export function checkModelOutputDir(dir: string): void {
  recoverModelDir(dir);
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (stat) {
    if (!stat.isDirectory()) throw new InputError(`${dir} is a file, not a model folder; it was left as it is. Save the model to a new folder name instead.`, dir);
    const entries = fs.readdirSync(dir);
    if (entries.length > 0) {
      if (!isOurMetadata(path.join(dir, METADATA_FILE))) {
        throw new InputError(`${dir} already exists and is not a model folder made by digit-recognizer (no metadata.json of ours); it was left as it is. Save the model to a new folder name instead.`, dir);
      }
      const foreign = entries.filter((e) => !MODEL_FOLDER_FILES.includes(e));
      if (foreign.length) {
        const listed = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
        throw new InputError(`${dir} holds a model of ours but also files it did not write (${listed}); it was left as it is, since replacing it would remove them. Move them away or save to a new folder name.`, dir);
      }
    }
  }
  checkCanWriteIn(path.dirname(dir), dir);
}

export interface ModelFolderContent {
  weights: Uint8Array;
  /** metadata.json's text. */
  metadata: string;
  /** model.json's text, written last: a folder without it is never taken for a model. */
  modelJson: string;
}

/** Saves a model folder at `dir` as a transaction (see the top of this file). */
export async function writeModelFolder(dir: string, content: ModelFolderContent): Promise<void> {
  const target = path.resolve(dir);
  checkModelOutputDir(target);
  const parent = path.dirname(target);
  await fs.promises.mkdir(parent, { recursive: true }).catch((err) => Promise.reject(fsError(err, 'create the folder', parent)));
  const tmp = stagingPath(target, 'tmp');
  let old: string | undefined;
  try {
    await fs.promises.mkdir(tmp);
    failpoint('model-save:staging-created');
    await writeFileDurably(path.join(tmp, WEIGHTS_FILE), content.weights);
    failpoint('model-save:weights-written');
    await writeFileDurably(path.join(tmp, METADATA_FILE), content.metadata);
    failpoint('model-save:metadata-written');
    await writeFileDurably(path.join(tmp, MODEL_FILE), content.modelJson);
    fsyncPath(tmp);
    failpoint('model-save:model-json-written');
    if (fs.existsSync(target)) {
      old = stagingPath(target, 'old');
      await fs.promises.rename(target, old);
      fsyncPath(parent);
      failpoint('model-save:old-moved-aside');
    }
    await fs.promises.rename(tmp, target);
    fsyncPath(parent);
    failpoint('model-save:new-in-place');
  } catch (err) {
    if (old && !fs.existsSync(target)) await fs.promises.rename(old, target).catch(() => undefined);
    await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw fsError(err, 'save the model to', target);
  }
  if (old) await removeModelFolder(old);
}

/** Removes a model folder: model.json first, so a half-removed folder is never taken for a model. */
async function removeModelFolder(dir: string): Promise<void> {
  await fs.promises.rm(path.join(dir, MODEL_FILE), { force: true });
  failpoint('model-save:old-half-removed');
  await fs.promises.rm(dir, { recursive: true, force: true });
}

export type Recovery = 'restored-new' | 'restored-old' | 'cleaned' | undefined;

/**
 * Settles what a killed save left beside `dir`: when `dir` is missing, the complete new folder
 * (or else the complete old one) is renamed back into place; every other leftover of a process
 * that is gone is removed. Saves of live processes are left alone. Never throws: a leftover it
 * cannot settle now is tried again next time.
 */
export function recoverModelDir(dir: string): Recovery {
  const target = path.resolve(dir);
  const dead = deadStaged(target);
  if (!dead.length) return undefined;
  let result: Recovery = 'cleaned';
  let restored: string | undefined;
  try {
    if (!fs.existsSync(target)) {
      const candidate = dead.find((s) => s.kind === 'tmp' && isCompleteModelDir(s.path)) ?? dead.find((s) => s.kind === 'old' && isCompleteModelDir(s.path));
      if (candidate) {
        fs.renameSync(candidate.path, target);
        fsyncPath(path.dirname(target));
        restored = candidate.path;
        result = candidate.kind === 'tmp' ? 'restored-new' : 'restored-old';
      }
    }
    for (const s of dead) if (s.path !== restored) fs.rmSync(s.path, { recursive: true, force: true });
  } catch {
    return undefined;
  }
  return result;
}

/** Recovers every model folder under `root` that a killed save left leftovers beside. */
export function recoverModelFolders(root: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return;
  }
  const targets = new Set<string>();
  for (const entry of entries) {
    // Before these names carried a pid, a deletion left `.<id>.deleting-<time>`: always ours, never restored.
    if (/^\..+\.deleting-\d+$/.test(entry)) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
    const m = /^\.(.+)\.(?:tmp|old|deleting)-\d+-\d+$/.exec(entry) ?? /^(.+)\.old-\d+-\d+$/.exec(entry);
    if (m) targets.add(m[1]);
  }
  for (const name of targets) recoverModelDir(path.join(root, name));
}

function fsyncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(p);
    else fsyncPath(p);
  }
  fsyncPath(dir);
}

/** Copies the model folder `from` to a new folder `to` (which must not exist) through a staging folder. */
export async function copyModelFolder(from: string, to: string): Promise<void> {
  const target = path.resolve(to);
  if (fs.existsSync(target)) throw new InputError(`${target} already exists; it was left as it is.`, target);
  checkCanWriteIn(path.dirname(target), target);
  const tmp = stagingPath(target, 'tmp');
  try {
    await fs.promises.cp(from, tmp, { recursive: true });
    fsyncTree(tmp);
    await fs.promises.rename(tmp, target);
    fsyncPath(path.dirname(target));
  } catch (err) {
    await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw fsError(err, 'export the model to', target);
  }
}
