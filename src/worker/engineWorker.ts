// The engine worker: runs training, submissions, imports and predictions off the extension
// host's thread. Requests are answered by id; each can be cancelled.
import { parentPort, workerData } from 'worker_threads';
import { JobContext, runSubmissionJob, runTrainJob } from '../engine/jobs';
import { importModel } from '../engine/importModel';
import { runEvaluateJob, runExploreJob } from '../engine/insightJobs';
import { initBackend } from '../engine/backend';
import { loadModelDir, LoadedModel } from '../engine/persistence';
import { predictOne } from '../engine/predict';
import { disposeModel } from '../engine/models';
import type { FromWorker, ToWorker, WorkerData, WorkerRequest } from './protocol';

const port = parentPort!;
const { backend } = workerData as WorkerData;
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
      return importModel(request.source, request.destDir, request.name);
    case 'evaluate':
      return runEvaluateJob(request.job, context);
    case 'explore':
      return runExploreJob(request.job, context);
    case 'predict': {
      await initBackend(backend);
      if (cached?.dir !== request.modelDir) {
        if (cached) disposeModel(cached.model);
        cached = undefined;
        cached = await loadModelDir(request.modelDir);
      }
      return predictOne(cached.model, request.pixels);
    }
  }
}

port.on('message', (message: ToWorker) => {
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
