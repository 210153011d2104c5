// Messages between the extension host and the engine worker (a worker_threads Worker that runs
// TensorFlow.js so the extension host's thread stays free).
import type { JobEvent, SubmissionJob, TrainJob, TrainJobResult } from '../engine/jobs';
import type { BackendPreference } from '../engine/backend';
import type { TrainStepCheck } from '../engine/backendCheck';
import type { NativeSource } from '../native/location';
import type { ModelMetadata } from '../engine/persistence';
import type { Prediction } from '../engine/types';
import type { PixelScale } from '../engine/predict';
import type { FolderPredictionResult, ImagePrediction } from '../engine/images';
import type { FineTuneJob, FineTuneJobResult } from '../engine/fineTuneJob';
import type { EvaluateJob, EvaluateJobResult, ExploreJob, ExploreJobResult } from '../engine/insightJobs';

export type WorkerRequest =
  | { type: 'train'; job: TrainJob }
  | { type: 'submit'; job: { testFile: string; model: string; outFile: string } }
  | { type: 'predict'; modelDir: string; pixels: Uint8Array; explain?: boolean }
  | { type: 'import'; source: string; destDir: string; name: string; pixelScale?: PixelScale }
  | { type: 'predictImage'; modelDir: string; file: string }
  | { type: 'predictImageFolder'; modelDir: string; folder: string; outFile: string }
  | { type: 'evaluate'; job: EvaluateJob }
  | { type: 'explore'; job: ExploreJob }
  /** Makes native TensorFlow the backend and trains one step with it (Install Native TensorFlow's check). */
  | { type: 'checkNative' }
  | { type: 'fineTune'; job: FineTuneJob };

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
}

/** A prediction and, when asked for (`explain`), its gradient × input map (see engine/saliency.ts). */
export interface ExplainedPrediction extends Prediction {
  why?: { contrast: number; map: Int8Array };
}

export type ToWorker =
  | { kind: 'request'; id: number; request: WorkerRequest }
  | { kind: 'cancel'; id: number };

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
