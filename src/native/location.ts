// Where native TensorFlow lives once Install Native TensorFlow has put it into the extension's
// global storage, and how the engine loads it from there. No `vscode` here: the engine worker and
// the tests use it as a plain module.
//
// Layout of the root folder (<globalStorage>/native):
//   installed.json           which install is in use (written last, to a temporary name, then renamed)
//   <variant>-<version>-<id>/  a complete npm install: package.json, node_modules/@tensorflow/tfjs-node…
//   .partial-<id>/           npm at work (or an interrupted run): never loaded, removed by the next install
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

export const NATIVE_PACKAGES = { cpu: '@tensorflow/tfjs-node', gpu: '@tensorflow/tfjs-node-gpu' } as const;
export type NativeVariant = keyof typeof NATIVE_PACKAGES;

export function isNativeVariant(value: unknown): value is NativeVariant {
  return value === 'cpu' || value === 'gpu';
}

/** Where the engine loads native TensorFlow from: a folder with node_modules, and the package's name. */
export interface NativeSource {
  dir: string;
  package: string;
}

/** A verified install, as recorded in installed.json. */
export interface NativeInstall extends NativeSource {
  variant: NativeVariant;
  version: string;
  /** ISO date. */
  installed: string;
  /** Seconds one training step of the default CNN took when the install was verified. */
  stepSeconds?: number;
}

export const INSTALLED_FILE = 'installed.json';

/** The install recorded in `root`, or undefined when there is none (or its folder is gone). */
export function readNativeInstall(root: string): NativeInstall | undefined {
  let record: Partial<NativeInstall>;
  try {
    record = JSON.parse(fs.readFileSync(path.join(root, INSTALLED_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (!record || typeof record.dir !== 'string' || !isNativeVariant(record.variant) || typeof record.version !== 'string') return undefined;
  // Relative to the root, so the storage folder can move (a renamed user profile, a synced one).
  const dir = path.resolve(root, record.dir);
  const pkg = NATIVE_PACKAGES[record.variant];
  if (!fs.existsSync(path.join(dir, 'node_modules', ...pkg.split('/'), 'package.json'))) return undefined;
  return { ...(record as NativeInstall), dir, package: pkg };
}

/** Records `install` as the one in use: written to a temporary name and renamed, so a reader never sees half of it. */
export function writeNativeInstall(root: string, install: NativeInstall): void {
  const file = path.join(root, INSTALLED_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ ...install, dir: path.relative(root, install.dir) }, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Forgets the install in use (the folder is removed separately: it may still be loaded). */
export function clearNativeInstall(root: string): void {
  fs.rmSync(path.join(root, INSTALLED_FILE), { force: true });
}

/**
 * Loads the package from `source.dir` the way Node would from a file in that folder: its own
 * node_modules (where npm put it and its copy of TensorFlow.js), never the extension's.
 */
export function requireNative(source: NativeSource): unknown {
  return createRequire(path.join(source.dir, 'package.json'))(source.package);
}

/** Which variants @tensorflow/tfjs-node ships a build for on this platform (its install script's list). */
export function nativeSupport(platform: NodeJS.Platform = process.platform, arch: string = process.arch): Record<NativeVariant, boolean> {
  const cpu = (platform === 'linux' && ['x64', 'arm64', 'arm'].includes(arch)) || (platform === 'darwin' && ['x64', 'arm64'].includes(arch)) || (platform === 'win32' && arch === 'x64');
  const gpu = (platform === 'linux' || platform === 'win32') && arch === 'x64';
  return { cpu, gpu };
}
