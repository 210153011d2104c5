import * as path from 'path';
import { Worker } from 'worker_threads';
import type { JobEvent } from '../engine/jobs/context';
import type { BackendPreference } from '../engine/core/types';
import type { NativeSource } from '../native/location';
import { checkFromWorker, type FromWorker, type ToWorker, type WorkerData, type WorkerRequest, type WorkerResults } from '../worker/protocol';

/** An error the worker reported, keeping its name (InputError, CancelledError, …). */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onEvent?: (event: JobEvent) => void;
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
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly distDir: string,
    private readonly backend: () => BackendPreference,
    private readonly log: (line: string) => void,
    /** Where native TensorFlow is installed (Install Native TensorFlow), read when a worker starts. */
    private readonly native: () => NativeSource | undefined = () => undefined,
  ) {}

  request<T extends WorkerRequest>(request: T, options: RequestOptions = {}): Promise<WorkerResults[T['type']]> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new WorkerError('CancelledError', 'Cancelled'));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent: options.onEvent });
      options.signal?.addEventListener('abort', () => this.post({ kind: 'cancel', id }), { once: true });
      worker.postMessage({ kind: 'request', id, request } satisfies ToWorker);
    });
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
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`The engine worker stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(message: FromWorker): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    switch (message.kind) {
      case 'event':
        if (message.event.kind === 'backend') this.log(`Backend: ${message.event.name}${message.event.note ? ` (${message.event.note})` : ''}`);
        pending.onEvent?.(message.event);
        break;
      case 'result':
        this.pending.delete(message.id);
        pending.resolve(message.result);
        break;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(new WorkerError(message.name, message.message));
        break;
    }
  }

  private failAll(err: Error): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(err);
    }
  }
}
