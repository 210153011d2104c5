// The engine worker: runs training, submissions, imports and predictions off the extension
// host's thread. Requests are answered by id; each can be cancelled.
import { parentPort, workerData } from 'worker_threads';
import { JobContext, runSubmissionJob, runTrainJob } from '../engine/jobs';
import { importModel } from '../engine/importModel';
import { runEvaluateJob, runExploreJob } from '../engine/insightJobs';
import { initBackend, selectNative, useNativeTensorFlow } from '../engine/backend';
import { InputError } from '../engine/errors';
import { checkTrainingStep } from '../engine/backendCheck';
import * as fs from 'fs';
import { LoadedModel, readMetadata } from '../engine/persistence';
import { loadAnyModel } from '../engine/loadModel';
import { predictOne, PixelScale } from '../engine/predict';
import { predictImageFile, predictImageFolder } from '../engine/images';
import { disposeModel } from '../engine/models';
import { runFineTuneJob } from '../engine/fineTuneJob';
import { explainOne } from '../engine/saliency';
import * as tf from '@tensorflow/tfjs';
import { checkToWorker, type FromWorker, type WorkerData, type WorkerMemory, type WorkerRequest } from './protocol';

const port = parentPort!;
const { backend, native } = workerData as WorkerData;
useNativeTensorFlow(native);
const running = new Map<number, AbortController>();
/** The pad predicts many times with one model: keep the last one loaded. */
let cached: LoadedModel | undefined;

function send(message: FromWorker): void {
  port.postMessage(message);
}

async function handle(id: number, request: WorkerRequest, signal: AbortSignal): Promise<unknown> {
  const context: JobContext = { signal, backend, onEvent: (event) => send({ kind: 'event', id, event }) };
  switch (request.type) {
    case 'train':
      return runTrainJob(request.job, context);
    case 'submit':
      return runSubmissionJob(request.job, context);
    case 'import':
      await initBackend(backend);
      return importModel(request.source, request.destDir, request.name, { pixelScale: request.pixelScale });
    case 'evaluate':
      return runEvaluateJob(request.job, context);
    case 'explore':
      return runExploreJob(request.job, context);
    case 'checkNative': {
      const why = await selectNative();
      if (why) throw new InputError(why);
      return checkTrainingStep();
    }
    case 'fineTune':
      return runFineTuneJob(request.job, context);
    case 'memory': {
      const { numTensors, numBytes } = tf.memory();
      const { rss, heapUsed } = process.memoryUsage();
      return { tensors: numTensors, tensorBytes: numBytes, rss, heapUsed } satisfies WorkerMemory;
    }
    case 'predict': {
      const loaded = await modelFor(request.modelDir);
      if (!request.explain) return predictOne(loaded.model, request.pixels, pixelScaleOf(loaded));
      return explainOne(loaded.model, request.pixels, pixelScaleOf(loaded));
    }
    case 'predictImage': {
      const loaded = await modelFor(request.modelDir);
      return predictImageFile(loaded.model, request.file, pixelScaleOf(loaded));
    }
    case 'predictImageFolder': {
      const loaded = await modelFor(request.modelDir);
      return predictImageFolder(loaded.model, request.folder, request.outFile, {
        pixelScale: pixelScaleOf(loaded),
        signal,
        replace: request.replace,
        onProgress: (done, total) => send({ kind: 'event', id, event: { kind: 'predicting', done, total } }),
      });
    }
  }
}

/** The model at `location` (a store folder, a TF.js folder or a Keras file), loaded once and kept. */
async function modelFor(location: string): Promise<LoadedModel> {
  await initBackend(backend);
  if (cached?.dir !== location) {
    if (cached) disposeModel(cached.model);
    cached = undefined;
    cached = await loadAnyModel(location);
  }
  return cached;
}

/** The pixel scale from the model's metadata, read afresh for folders (the user may have changed it). */
function pixelScaleOf(loaded: LoadedModel): PixelScale | undefined {
  const isDir = fs.statSync(loaded.dir, { throwIfNoEntry: false })?.isDirectory();
  return isDir ? readMetadata(loaded.dir)?.pixelScale : loaded.metadata?.pixelScale;
}

port.on('message', (raw: unknown) => {
  const checked = checkToWorker(raw);
  if (!checked.ok) {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'number') send({ kind: 'error', id, name: 'Error', message: `Invalid request: ${checked.reason}` });
    return;
  }
  const message = checked.value;
  if (message.kind === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  handle(message.id, message.request, controller.signal)
    .then((result) => send({ kind: 'result', id: message.id, result }))
    .catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      send({ kind: 'error', id: message.id, name: e.name, message: e.name === 'InputError' || e.name === 'CancelledError' ? e.message : e.stack ?? e.message });
    })
    .finally(() => running.delete(message.id));
});
