// The engine worker: runs training, submissions, imports and predictions off the extension
// host's thread. Requests are validated, answered by id, and each can be cancelled. Everything it
// does is an engine job (src/engine/jobs/); this file only routes.
import { parentPort, workerData } from 'worker_threads';
import { runTrainJob } from '../engine/jobs/trainJob';
import { runSubmissionJob } from '../engine/jobs/submissionJob';
import { runEvaluateJob, runExploreJob } from '../engine/jobs/insightJobs';
import { runFineTuneJob } from '../engine/jobs/fineTuneJob';
import { HandMemoryCache, ModelCache, predictDrawing, predictPicture, runImportJob, runPredictFolderJob } from '../engine/jobs/modelJobs';
import { runCheckNativeJob, useNativeTensorFlow } from '../engine/jobs/nativeCheck';
import { engineMemory, type JobContext } from '../engine/jobs/context';
import { checkToWorker, type FromWorker, type WorkerData, type WorkerRequest } from './protocol';
import { KEEP_FINISHED_NETWORKS } from '../shared/training';

const port = parentPort!;
const { backend, native } = workerData as WorkerData;
useNativeTensorFlow(native);
const running = new Map<number, AbortController>();
/** The pad predicts many times with one model: it stays loaded, with its metadata. */
const models = new ModelCache();
/** …and the memory of the user's kept drawings with it, until the samples file changes. */
const memories = new HandMemoryCache();

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
      return runImportJob(request, context);
    case 'evaluate':
      return runEvaluateJob(request.job, context);
    case 'explore':
      return runExploreJob(request.job, context);
    case 'checkNative':
      return runCheckNativeJob();
    case 'fineTune':
      return runFineTuneJob(request.job, context);
    case 'memory':
      return engineMemory();
    case 'predict':
      return predictDrawing(models, { location: request.modelDir, pixels: request.pixels, explain: !!request.explain, samplesFile: request.samplesFile }, context, memories);
    case 'predictImage':
      return predictPicture(models, request.modelDir, request.file, context);
    case 'predictImageFolder':
      return runPredictFolderJob(request, context, models);
  }
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
    running.get(message.id)?.abort(message.keepFinished ? KEEP_FINISHED_NETWORKS : undefined);
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
