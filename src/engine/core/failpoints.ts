// Named crash points for fault-injection tests, in the spirit of etcd's gofail: when the
// environment variable DIGIT_RECOGNIZER_FAILPOINT names a point, the process is killed
// (SIGKILL: no cleanup, no finally blocks, like a power cut or `kill -9`) when it gets there.
// Unset — always, outside tests — a failpoint is one comparison.

/** Every failpoint, in the order a save reaches them (the fault-injection test kills at each). */
export const FAILPOINTS = [
  // A model folder's save (src/engine/model/modelDir.ts).
  'model-save:staging-created',
  'model-save:weights-written',
  'model-save:metadata-written',
  'model-save:model-json-written',
  'model-save:old-moved-aside',
  'model-save:new-in-place',
  'model-save:old-half-removed',
  // A file replaced atomically (samples CSV, submission, predictions, metadata.json).
  'file-write:temp-written',
  'file-write:renamed',
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

export const FAILPOINT_ENV = 'DIGIT_RECOGNIZER_FAILPOINT';

export function failpoint(name: Failpoint): void {
  if (process.env[FAILPOINT_ENV] === name) process.kill(process.pid, 'SIGKILL');
}
