// Reading HDF5 files (Keras .h5 models and the model.weights.h5 inside .keras zips) with h5wasm,
// the HDF5 C library compiled to WebAssembly. Its Node build is an ES module that reads the real
// file system, so it is loaded with import() and kept external to the bundles (shipped in
// node_modules). Every failure becomes an InputError naming the file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError } from '../../core/errors';

// Types from the package's main entry (moduleResolution "node" does not read "exports"); the
// Node build has the same API.
type H5wasm = typeof import('h5wasm');
/** A variable, so TypeScript leaves the specifier alone; esbuild keeps it external. */
const H5WASM_NODE = 'h5wasm/node';
let loading: Promise<H5wasm> | undefined;

async function h5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    const lib = (await import(H5WASM_NODE)) as H5wasm;
    const module = await lib.ready;
    // Errors are thrown (with HDF5's diagnostic text) instead of printed to stderr.
    module.activate_throwing_error_handler();
    return lib;
  })();
  return loading;
}

/** HDF5's 8-byte signature; the superblock sits at 0, 512, 1024, 2048… */
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** True when `bytes` (a file's start) carries the HDF5 signature at offset 0. */
export function looksLikeHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).equals(SIGNATURE);
}

/**
 * Checks the superblock before the HDF5 library sees the file: the signature, and the end-of-file
 * address the writer recorded against the actual size (a truncated download is the commonest
 * broken file, and HDF5's own message for it is a page of diagnostics).
 */
export function checkHdf5Header(bytes: Uint8Array, label: string, fileSize = bytes.length): void {
  let base = -1;
  for (let at = 0; at + 8 <= bytes.length && at <= 1 << 20; at = at ? at * 2 : 512) {
    if (Buffer.from(bytes.buffer, bytes.byteOffset + at, 8).equals(SIGNATURE)) {
      base = at;
      break;
    }
  }
  if (base < 0) throw new InputError(`${label}: not an HDF5 file (no HDF5 signature; a Keras .h5 model starts with "\\x89HDF")`, label);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => {
    if (base + n > bytes.length) throw new InputError(`${label}: truncated HDF5 file (it ends inside its superblock)`, label);
  };
  need(16);
  const version = bytes[base + 8];
  let eofAt: number;
  let offsetSize: number;
  if (version === 0 || version === 1) {
    offsetSize = bytes[base + 13];
    eofAt = base + (version === 0 ? 24 : 28) + 2 * offsetSize;
  } else if (version === 2 || version === 3) {
    offsetSize = bytes[base + 9];
    eofAt = base + 12 + 2 * offsetSize;
  } else {
    return; // a newer superblock: leave the checks to the library
  }
  if (offsetSize !== 8 && offsetSize !== 4) return;
  need(eofAt - base + offsetSize);
  const eof = offsetSize === 8 ? Number(view.getBigUint64(eofAt, true)) : view.getUint32(eofAt, true);
  const baseAddress = offsetSize === 8 ? Number(view.getBigUint64(eofAt - 2 * offsetSize, true)) : view.getUint32(eofAt - 2 * offsetSize, true);
  const expected = baseAddress + eof;
  if (expected > fileSize) {
    throw new InputError(`${label}: truncated HDF5 file (${fileSize.toLocaleString('en-US')} bytes of the ${expected.toLocaleString('en-US')} its header records)`, label);
  }
}

/** A float32 array and its shape. */
export interface H5Array {
  shape: number[];
  values: Float32Array;
}

/** Read-only access to one open HDF5 file, by slash-separated paths. */
export class H5Reader {
  private constructor(
    private readonly file: InstanceType<H5wasm['File']>,
    readonly label: string,
    private readonly cleanup?: () => void,
  ) {}

  /** Opens an HDF5 file on disk; `label` names it in messages (e.g. "model.keras/model.weights.h5"). */
  static async open(file: string, label = file): Promise<H5Reader> {
    const head = Buffer.alloc(4096);
    let size: number;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        size = fs.fstatSync(fd).size;
        fs.readSync(fd, head, 0, head.length, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      throw new InputError(`${label}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message}`, label);
    }
    checkHdf5Header(head.subarray(0, Math.min(size, head.length)), label, size);
    const lib = await h5wasm();
    try {
      return new H5Reader(new lib.File(file, 'r'), label);
    } catch (err) {
      throw new InputError(`${label}: not a readable HDF5 file (${hdf5Reason(err)})`, label);
    }
  }

  /** Opens HDF5 bytes (e.g. from a zip) through a temporary file, removed on close. */
  static async fromBytes(bytes: Uint8Array, label: string): Promise<H5Reader> {
    checkHdf5Header(bytes, label);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-h5-'));
    const file = path.join(dir, 'weights.h5');
    fs.writeFileSync(file, bytes);
    const remove = () => fs.rmSync(dir, { recursive: true, force: true });
    try {
      const reader = await H5Reader.open(file, label);
      return new H5Reader(reader.file, label, remove);
    } catch (err) {
      remove();
      throw err;
    }
  }

  close(): void {
    try {
      this.file.close();
    } finally {
      this.cleanup?.();
    }
  }

  private entity(p: string) {
    try {
      return p === '' || p === '/' ? this.file : this.file.get(p);
    } catch {
      return null;
    }
  }

  has(p: string): boolean {
    return this.entity(p) != null;
  }

  /** Names inside a group ([] when it is absent or not a group). */
  keys(p: string): string[] {
    const e = this.entity(p) as { keys?: () => string[] } | null;
    try {
      return e && typeof e.keys === 'function' ? e.keys() : [];
    } catch (err) {
      throw new InputError(`${this.label}: cannot list "${p}" (${hdf5Reason(err)})`, this.label);
    }
  }

  /** An attribute's value, or undefined when absent. Strings come back as strings, lists as arrays. */
  attr(p: string, name: string): unknown {
    const e = this.entity(p) as { attrs?: Record<string, { value: unknown }> } | null;
    if (!e?.attrs) return undefined;
    try {
      const attrs = e.attrs;
      if (!(name in attrs)) return undefined;
      const value = attrs[name].value;
      return ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : value;
    } catch (err) {
      throw new InputError(`${this.label}: cannot read attribute "${name}" of "${p || '/'}" (${hdf5Reason(err)})`, this.label);
    }
  }

  /** A numeric dataset as float32. */
  array(p: string): H5Array {
    const e = this.entity(p) as { shape?: number[] | null; value?: unknown; type?: string } | null;
    if (!e || e.type !== 'Dataset') throw new InputError(`${this.label}: missing weights: no dataset "${p}"`, this.label);
    let value: unknown;
    let shape: number[];
    try {
      shape = e.shape ?? [];
      value = e.value;
    } catch (err) {
      throw new InputError(`${this.label}: cannot read "${p}" (${hdf5Reason(err)}); the file may be truncated or damaged`, this.label);
    }
    if (value instanceof Float32Array) return { shape, values: value };
    if (ArrayBuffer.isView(value) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array)) {
      return { shape, values: Float32Array.from(value as unknown as ArrayLike<number>) };
    }
    if (typeof value === 'number') return { shape, values: Float32Array.of(value) };
    throw new InputError(`${this.label}: "${p}" is not a numeric array`, this.label);
  }
}

/** The most telling line of an HDF5 diagnostic. */
function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const truncated = /truncated file[^\n]*/.exec(text);
  if (truncated) return truncated[0].trim();
  const minors = [...text.matchAll(/minor: ([^\n]+)/g)].map((m) => m[1].trim());
  return minors.length ? minors[minors.length - 1] : text.split('\n')[0];
}
