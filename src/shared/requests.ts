// Requests sent to another thread or frame and their replies, matched by id: the one request/reply
// helper of the product. The pad webview matches the extension's predictions to its drawings,
// the extension host matches the engine worker's results and progress events to its calls, and
// a replica pool matches each replica thread's answer to what it asked. The messages themselves
// (and their validation) stay with each protocol; this only keeps who waits for what.
//
// Pure: no DOM, no Node, no vscode; imports nothing.

interface Waiting<Reply, Event> {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  onEvent?: (event: Event) => void;
}

export interface PendingRequestsOptions {
  /**
   * The other side answers in order and may skip requests that a newer one made stale (the
   * pad's predictions while drawing): a reply also forgets every older request still waiting.
   */
  latestWins?: boolean;
}

export class PendingRequests<Reply, Event = never> {
  private lastId = 0;
  private readonly waiting = new Map<number, Waiting<Reply, Event>>();

  constructor(private readonly options: PendingRequestsOptions = {}) {}

  /** How many requests wait for a reply. */
  get size(): number {
    return this.waiting.size;
  }

  /** Whether a request waits under `id`. */
  has(id: number): boolean {
    return this.waiting.has(id);
  }

  /**
   * Opens a request under a fresh id (1, 2, 3, …) and sends it with `send(id)`. The promise
   * settles with the reply given to resolve() or the error given to reject()/rejectAll(); when
   * `send` throws, with that error. `onEvent` receives what event() reports meanwhile.
   */
  send(send: (id: number) => void, onEvent?: (event: Event) => void): Promise<Reply> {
    const id = ++this.lastId;
    const reply = this.expect(id, onEvent);
    try {
      send(id);
    } catch (err) {
      this.reject(id, err instanceof Error ? err : new Error(String(err)));
    }
    return reply;
  }

  /**
   * Waits for the reply under an id the caller chose (e.g. a worker's index, where each worker
   * answers one request at a time). Rejects at once if a request already waits under that id.
   */
  expect(id: number, onEvent?: (event: Event) => void): Promise<Reply> {
    if (this.waiting.has(id)) return Promise.reject(new Error(`A request is already waiting under id ${id}`));
    return new Promise<Reply>((resolve, reject) => this.waiting.set(id, { resolve, reject, onEvent }));
  }

  /** Settles request `id` with its reply; false when none waits (unknown, settled or forgotten). */
  resolve(id: number, reply: Reply): boolean {
    const waiting = this.take(id);
    waiting?.resolve(reply);
    return !!waiting;
  }

  /** Fails request `id`; false when none waits. */
  reject(id: number, error: Error): boolean {
    const waiting = this.take(id);
    waiting?.reject(error);
    return !!waiting;
  }

  /** Hands an event (progress, a log line) to request `id`, which keeps waiting; false when none waits. */
  event(id: number, event: Event): boolean {
    const waiting = this.waiting.get(id);
    waiting?.onEvent?.(event);
    return !!waiting;
  }

  /** Fails every waiting request with `error` (the other side has gone). */
  rejectAll(error: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiting of all) waiting.reject(error);
  }

  /**
   * Forgets every waiting request (what they asked is stale): their replies, when they come,
   * find nothing and are dropped. Their promises never settle, so use it only where nothing
   * awaits them to clean up (a view that shows the latest answer).
   */
  forget(): void {
    this.waiting.clear();
  }

  private take(id: number): Waiting<Reply, Event> | undefined {
    const waiting = this.waiting.get(id);
    if (!waiting) return undefined;
    this.waiting.delete(id);
    if (this.options.latestWins) for (const older of this.waiting.keys()) if (older < id) this.waiting.delete(older);
    return waiting;
  }
}
