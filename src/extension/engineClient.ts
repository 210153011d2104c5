import * as path from 'path';
import { Worker } from 'worker_threads';
import type { JobEvent } from '../engine/jobs/context';
import type { BackendPreference } from '../engine/core/types';
import type { NativeSource } from '../native/location';
import { PendingRequests } from '../shared/requests';
import { checkFromWorker, type FromWorker, type ToWorker, type WorkerData, type WorkerRequest, type WorkerResults } from '../worker/protocol';
import { KEEP_FINISHED_NETWORKS } from '../shared/training';

/** An error the worker reported, keeping its name (InputError, CancelledError, …). */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface RequestOptions {
  onEvent?: (event: JobEvent) => void;
  /** Cancels the request (the worker stops between batches). */
  signal?: AbortSignal;
}

/**
 * The extension side of the engine worker: TensorFlow.js runs in a worker thread so the
 * extension host, shared by every extension, is never held by training or prediction.
 */
export class EngineClient {
  private worker: Worker | undefined;
  private readonly requests = new PendingRequests<unknown, JobEvent>();

  constructor(
    private readonly distDir: string,
    private readonly backend: () => BackendPreference,
    private readonly log: (line: string) => void,
    /** Where native TensorFlow is installed (Install Native TensorFlow), read when a worker starts. */
    private readonly native: () => NativeSource | undefined = () => undefined,
  ) {}

  request<T extends WorkerRequest>(request: T, options: RequestOptions = {}): Promise<WorkerResults[T['type']]> {
    const worker = this.ensureWorker();
    if (options.signal?.aborted) return Promise.reject(new WorkerError('CancelledError', 'Cancelled'));
    const reply = this.requests.send((id) => {
      options.signal?.addEventListener('abort', () => this.post(options.signal?.reason === KEEP_FINISHED_NETWORKS ? { kind: 'cancel', id, keepFinished: true } : { kind: 'cancel', id }), { once: true });
      worker.postMessage({ kind: 'request', id, request } satisfies ToWorker);
    }, options.onEvent);
    return reply as Promise<WorkerResults[T['type']]>;
  }

  /** Ends the worker (and whatever it runs); the next request starts a fresh one. */
  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(path.join(this.distDir, 'engineWorker.js'), { workerData: { backend: this.backend(), native: this.native() } satisfies WorkerData });
    worker.on('message', (raw: unknown) => {
      const checked = checkFromWorker(raw);
      if (checked.ok) this.onMessage(checked.value);
      else this.log(`Dropped an invalid message from the engine worker: ${checked.reason}`);
    });
    worker.on('error', (err) => this.requests.rejectAll(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.requests.rejectAll(new Error(`The engine worker stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(message: FromWorker): void {
    switch (message.kind) {
      case 'event':
        if (message.event.kind === 'backend' && this.requests.has(message.id)) this.log(`Backend: ${message.event.name}${message.event.note ? ` (${message.event.note})` : ''}`);
        this.requests.event(message.id, message.event);
        break;
      case 'result':
        this.requests.resolve(message.id, message.result);
        break;
      case 'error':
        this.requests.reject(message.id, new WorkerError(message.name, message.message));
        break;
    }
  }
}
