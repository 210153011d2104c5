// Messages between the extension host and the engine worker (a worker_threads Worker that runs
// TensorFlow.js so the extension host's thread stays free).
import type { JobEvent } from '../engine/jobs/context';
import type { SubmissionJob } from '../engine/jobs/submissionJob';
import type { TrainJob, TrainJobResult } from '../engine/jobs/trainJob';
import type { BackendPreference } from '../engine/core/types';
import type { TrainStepCheck } from '../engine/jobs/nativeCheck';
import type { NativeSource } from '../native/location';
import type { EngineMemory } from '../engine/jobs/context';
import type { ExplainedPrediction, FolderPredictionResult, ImagePrediction, ImportJob, ModelMetadata, PredictFolderJob } from '../engine/jobs/modelJobs';
import type { FineTuneJob, FineTuneJobResult } from '../engine/jobs/fineTuneJob';
import type { EvaluateJob, EvaluateJobResult, ExploreJob, ExploreJobResult } from '../engine/jobs/insightJobs';
import { bad, bool, int, oneOf, parse, type Parsed, record, str } from '../shared/check';

export type WorkerRequest =
  | { type: 'train'; job: TrainJob }
  | { type: 'submit'; job: SubmissionJob }
  /** `samplesFile`: the user's kept drawings, remembered (engine/inference/handMemory.ts). */
  | { type: 'predict'; modelDir: string; pixels: Uint8Array; explain?: boolean; samplesFile?: string }
  | ({ type: 'import' } & ImportJob)
  | { type: 'predictImage'; modelDir: string; file: string }
  | ({ type: 'predictImageFolder' } & PredictFolderJob)
  | { type: 'evaluate'; job: EvaluateJob }
  | { type: 'explore'; job: ExploreJob }
  /** Makes native TensorFlow the backend and trains one step with it (Install Native TensorFlow's check). */
  | { type: 'checkNative' }
  | { type: 'fineTune'; job: FineTuneJob }
  /** The worker's memory: live tensors and the process's RSS (the soak benchmark watches them stay flat). */
  | { type: 'memory' };

/** What each request resolves to. */
export interface WorkerResults {
  train: TrainJobResult;
  submit: { rows: number; file: string };
  predict: ExplainedPrediction;
  import: ModelMetadata;
  predictImage: ImagePrediction;
  predictImageFolder: FolderPredictionResult;
  evaluate: EvaluateJobResult;
  explore: ExploreJobResult;
  checkNative: TrainStepCheck;
  fineTune: FineTuneJobResult;
  memory: EngineMemory;
}

export type ToWorker =
  | { kind: 'request'; id: number; request: WorkerRequest }
  /** `keepFinished`: a run of several networks saves those finished (KEEP_FINISHED_NETWORKS). */
  | { kind: 'cancel'; id: number; keepFinished?: boolean };

export type FromWorker =
  | { kind: 'event'; id: number; event: JobEvent }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; name: string; message: string };

export interface WorkerData {
  backend: BackendPreference;
  /** Native TensorFlow installed by Install Native TensorFlow (else the optional dependency, if any). */
  native?: NativeSource;
}

export type { SubmissionJob, TrainJob };

// --- validation (both directions; a message that fails is answered with an error or dropped) ----

const JOB_EVENT_KINDS = ['backend', 'reading', 'read', 'stage', 'batch', 'epoch', 'saving', 'predicting', 'fineTune'] as const;
const REQUEST_TYPES = ['train', 'submit', 'predict', 'import', 'predictImage', 'predictImageFolder', 'evaluate', 'explore', 'checkNative', 'fineTune', 'memory'] as const;
const MAX_PATH = 32_768;

/**
 * Each request's own fields (for jobs, the job's): paths and names as strings, settings as
 * objects, optional flags as booleans. A job's settings are checked by the engine function that
 * runs it.
 */
type FieldKind = 'path' | 'name' | 'object' | 'path?' | 'flag?' | 'object?' | 'count?';
const REQUEST_FIELDS: Record<Exclude<(typeof REQUEST_TYPES)[number], 'predict'>, { job?: true; fields: Record<string, FieldKind> }> = {
  train: { job: true, fields: { trainFile: 'path', unlabelledFile: 'path?', outDir: 'path', name: 'name', settings: 'object', limit: 'count?' } },
  submit: { job: true, fields: { testFile: 'path', model: 'path', outFile: 'path', threads: 'count?', replace: 'flag?' } },
  import: { fields: { source: 'path', destDir: 'path', name: 'name' } },
  predictImage: { fields: { modelDir: 'path', file: 'path' } },
  predictImageFolder: { fields: { modelDir: 'path', folder: 'path', outFile: 'path', replace: 'flag?' } },
  evaluate: { job: true, fields: { modelDir: 'path', file: 'path', split: 'object?' } },
  explore: { job: true, fields: { file: 'path', samplesPerDigit: 'count?' } },
  fineTune: { job: true, fields: { modelDir: 'path', samplesFile: 'path', replayFile: 'path', outDir: 'path', name: 'name', settings: 'object', split: 'object?' } },
  checkNative: { fields: {} },
  memory: { fields: {} },
};

function checkField(value: unknown, kind: FieldKind, what: string): void {
  if (kind.endsWith('?') && value === undefined) return;
  if (kind === 'path' || kind === 'path?') str(value, what, MAX_PATH);
  else if (kind === 'name') str(value, what);
  else if (kind === 'object' || kind === 'object?') record(value, what);
  else if (kind === 'flag?') bool(value, what);
  else int(value, what, 0);
}

function checkRequest(x: unknown): WorkerRequest {
  const r = record(x, 'request');
  const type = oneOf(r.type, 'request.type', REQUEST_TYPES);
  if (type === 'predict') {
    str(r.modelDir, 'predict.modelDir', MAX_PATH);
    if (!(r.pixels instanceof Uint8Array) || r.pixels.length !== 784) bad('predict.pixels', r.pixels, '784 bytes');
    if (r.explain !== undefined) bool(r.explain, 'predict.explain');
    if (r.samplesFile !== undefined) str(r.samplesFile, 'predict.samplesFile', MAX_PATH);
    return { type, modelDir: r.modelDir as string, pixels: r.pixels as Uint8Array, explain: r.explain as boolean | undefined, samplesFile: r.samplesFile as string | undefined };
  }
  const spec = REQUEST_FIELDS[type];
  const holder = spec.job ? record(r.job, `${type}.job`) : r;
  for (const [key, kind] of Object.entries(spec.fields)) checkField(holder[key], kind, `${type}${spec.job ? '.job' : ''}.${key}`);
  if (type === 'import' && r.pixelScale !== undefined) oneOf(r.pixelScale, 'import.pixelScale', ['unit', 'byte']);
  return r as unknown as WorkerRequest;
}

/** Validates a message to the worker. */
export function checkToWorker(x: unknown): Parsed<ToWorker> {
  return parse(() => {
    const m = record(x, 'message');
    const kind = oneOf(m.kind, 'kind', ['request', 'cancel']);
    const id = int(m.id, 'id', 1);
    if (kind === 'request') return { kind, id, request: checkRequest(m.request) };
    return m.keepFinished === undefined ? { kind, id } : { kind, id, keepFinished: bool(m.keepFinished, 'keepFinished') };
  });
}

/** Validates a message from the worker (a result's shape is the request's; it is passed on as is). */
export function checkFromWorker(x: unknown): Parsed<FromWorker> {
  return parse(() => {
    const m = record(x, 'message');
    const kind = oneOf(m.kind, 'kind', ['event', 'result', 'error']);
    const id = int(m.id, 'id', 1);
    if (kind === 'event') {
      const event = record(m.event, 'event');
      oneOf(event.kind, 'event.kind', JOB_EVENT_KINDS);
      return { kind, id, event: event as unknown as JobEvent };
    }
    if (kind === 'result') return { kind, id, result: m.result };
    return { kind, id, name: str(m.name, 'name', 200), message: str(m.message, 'message', 100_000) };
  });
}
