// The entry point of the second thread (runtime/service-thread.ts): runs its services in
// a host of its own, tells the main thread once they run, answers its readiness probes
// and scrapes, and on "stop" stops as a process would on SIGTERM, then ends.
// It starts before the main thread's host: it applies the migrations and sets the broker
// up (BROKER_SETUP), and the main thread's host skips the broker setup. The main thread
// serves /health, /ready and /metrics for both.
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from './config.ts';
import { startHost } from './host.ts';
import { flushLogs } from './logger.ts';
import type { StartedPart, ThreadMessage, ThreadRequest } from './service-thread.ts';
import { selectServices } from '../handlers/index.ts';

const port = parentPort!;
const { services } = workerData as { services: string[] };
// the main thread serves health and maintains the tables (a second maintainer would only find its lock taken)
const config = { ...loadConfig(), services, healthPort: 0, tableMaintenance: 'off' as const };
const host = await startHost(config, await selectServices(services));
const tell = (message: ThreadMessage) => port.postMessage(message);

port.on('message', (request: ThreadRequest) => {
  const answer = (work: () => Promise<unknown>) => work().then(
    (value) => tell({ kind: 'answer', id: request.id, value }),
    (err: Error) => tell({ kind: 'answer', id: request.id, error: err.message }),
  );
  if (request.kind === 'ready') void answer(() => host.ready());
  else if (request.kind === 'metrics') void answer(() => host.runtime.metrics.ownMetrics());
  else {
    void answer(() => host.stop()).then(async () => {
      await flushLogs();
      process.exit(0); // in a thread this ends the thread only, whatever a library left open
    });
  }
});
const parts = [...host.services.values()] as StartedPart[];
tell({ kind: 'started', parts: parts.map(({ url, mailCatcherUrl }) => ({ url, mailCatcherUrl })) });
