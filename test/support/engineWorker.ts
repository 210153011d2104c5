// Runs the real engine worker (src/worker/engineWorker.ts, under tsx) in a thread of its own for
// unit tests: a backend registered there (a stand-in native TensorFlow) stays out of mocha's thread.
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { JobEvent } from '../../src/engine/jobs/context';
import type { FromWorker, ToWorker, WorkerData, WorkerRequest, WorkerResults } from '../../src/worker/protocol';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../../src/shared/training';

const SCRIPT = path.resolve(__dirname, '../../src/worker/engineWorker.ts');

export class TestEngineWorker {
  private readonly worker: Worker;
  private nextId = 1;

  constructor(data: WorkerData) {
    this.worker = new Worker(SCRIPT, { workerData: data, execArgv: ['--require', require.resolve('tsx/cjs')] });
  }

  /** Sends a request; `onEvent` may return true to cancel it.*/
  request<T extends WorkerRequest>(request: T, onEvent?: (event: JobEvent) => boolean | void): Promise<WorkerResults[T['type']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.id !== id) return;
        if (message.kind === 'event') {
          if (onEvent?.(message.event)) this.worker.postMessage({ kind: 'cancel', id } satisfies ToWorker);
          return;
        }
        this.worker.off('message', onMessage);
        if (message.kind === 'result') resolve(message.result as WorkerResults[T['type']]);
        else reject(Object.assign(new Error(message.message), { name: message.name }));
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      this.worker.postMessage({ kind: 'request', id, request } satisfies ToWorker);
    });
  }

  /**
   * The backend a training run selects: a train job names it in its first event, before it reads
   * its file; the file here does not exist, so the job then stops with an InputError.
   */
  async selectedBackend(): Promise<{ name: string; note?: string }> {
    let backend: { name: string; note?: string } | undefined;
    const settings: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1, batchSize: 8, learningRate: 0.001, schedule: 'constant', validationSplit: 0, augment: false, seed: 1, threads: 1 };
    const job = { trainFile: path.join(__dirname, 'no-such-file.csv'), settings, outDir: path.join(__dirname, 'never-written'), name: 'backend probe' };
    await this.request({ type: 'train', job }, (event) => {
      if (event.kind === 'backend') backend = { name: event.name, note: event.note };
    }).then(
      () => Promise.reject(new Error('the train job succeeded without a file')),
      (err: Error) => {
        if (err.name !== 'InputError' || !backend) throw err;
      },
    );
    return backend!;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
