// The second event loop of an all-in-one process (THREADS=2): a worker thread that runs
// some of the services in a host of its own (runtime/service-thread-main.ts), and the
// main thread's handle on it. Nothing is shared between the threads: each has its own
// broker connections, pools, outbox relay and log batcher, as two processes would, and
// every guarantee holds per thread as it does per process. What stays one is the process:
// one pid to signal, kill or measure, one start command, one /ready and one /metrics.
// A thread that ends on its own (an uncaught error, out of memory) ends the process: the
// main thread's services stop gracefully and it exits 1, as a crashed process would, for
// whatever restarts it. Nothing is lost either way: a delivery in flight is redelivered.
import { Worker } from 'node:worker_threads';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Logger } from './logger.ts';
import type { Readiness } from './readiness.ts';

/** How long the main thread waits for the thread's answer to a readiness probe or a scrape. */
const ANSWER_TIMEOUT_MS = 5000;

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Another host in the same process that the main host answers for (runtime/host.ts). */
export interface PeerHost {
  ready(): Promise<Readiness>;
  /** Its metrics as prom-client JSON, to merge into the main host's scrape. */
  metrics(): Promise<MetricsJson>;
  stop(): Promise<{ drained: boolean }>;
}

/** What the thread tells the main thread. */
export type ThreadMessage =
  | { readonly kind: 'started'; readonly parts: readonly StartedPart[] }
  | { readonly kind: 'answer'; readonly id: number; readonly value?: unknown; readonly error?: string };

/** What the main thread asks of the thread. */
export interface ThreadRequest {
  readonly id: number;
  readonly kind: 'ready' | 'metrics' | 'stop';
}

/** What a service's start() returned that the start banner shows (the api's URL, the mail catcher's). */
export interface StartedPart {
  readonly url?: string;
  readonly mailCatcherUrl?: string;
}

export interface ServiceThread extends PeerHost {
  readonly services: readonly string[];
  readonly parts: readonly StartedPart[];
  /** Resolves, with why, if the thread ends without having been asked to stop. */
  readonly failed: Promise<Error>;
}

/** Starts a thread running `services`; resolves once they all run, rejects with the thread's reason if they cannot start. */
export async function startServiceThread(services: readonly string[], log: Logger): Promise<ServiceThread> {
  // No resourceLimits: npm start's --max-old-space-size and --max-semi-space-size are V8's
  // process-wide flags, and V8 lets them override a thread's own limits (measured: a limit
  // set here changed nothing). Each thread's heap has npm start's budget.
  const worker = new Worker(new URL('./service-thread-main.ts', import.meta.url), { workerData: { services } });
  const what = `service thread (${services.join(', ')})`;
  const waiting = new Map<number, (message: Extract<ThreadMessage, { kind: 'answer' }>) => void>();
  let nextId = 1;
  let stopping: Promise<{ drained: boolean }> | undefined;
  let lastError: Error | undefined;
  let ended = false;
  let reportFailure: (err: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => { reportFailure = resolve; });

  worker.on('error', (err) => { lastError = err; });
  const exited = new Promise<number>((resolve) => worker.once('exit', (code) => {
    ended = true;
    for (const answer of waiting.values()) answer({ kind: 'answer', id: 0, error: `${what} ended` });
    waiting.clear();
    if (!stopping) reportFailure(new Error(`${what} ended with code ${code}${lastError ? `: ${lastError.stack ?? lastError.message}` : ''}`));
    resolve(code);
  }));

  const ask = (kind: ThreadRequest['kind'], timeoutMs: number | undefined): Promise<unknown> => {
    if (ended) return Promise.reject(new Error(`${what} has ended`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${what} did not answer "${kind}" within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer.error !== undefined) reject(new Error(answer.error));
        else resolve(answer.value);
      });
      worker.postMessage({ id, kind } satisfies ThreadRequest);
    });
  };

  const parts = await new Promise<readonly StartedPart[]>((resolve, reject) => {
    const onMessage = (message: ThreadMessage) => {
      if (message.kind === 'answer') {
        waiting.get(message.id)?.(message);
        return;
      }
      resolve(message.parts);
    };
    worker.on('message', onMessage);
    void exited.then((code) => reject(new Error(`${what} could not start (exit code ${code})${lastError ? `: ${lastError.message}` : ''}`)));
  });

  return {
    services,
    parts,
    failed,
    ready: async () => {
      try {
        return await ask('ready', ANSWER_TIMEOUT_MS) as Readiness;
      } catch (err) {
        log.warn({ thread: services, err: (err as Error).message }, 'service thread gave no readiness: reported as down');
        return { broker: false, database: false };
      }
    },
    metrics: async () => await ask('metrics', ANSWER_TIMEOUT_MS) as MetricsJson,
    // the thread's host keeps to its own SHUTDOWN_TIMEOUT_MS, as the main thread's does
    stop: () => stopping ??= (async () => {
      if (ended) return { drained: false };
      const result = await ask('stop', undefined).then((value) => value as { drained: boolean }, (err: Error) => {
        log.error({ thread: services, err: err.message }, 'service thread failed to stop');
        return { drained: false };
      });
      await exited;
      return result;
    })(),
  };
}
