// Preloaded (NODE_OPTIONS=--import) by the fault scenario in which the process's second
// thread fails (test/process.fault.spec.ts): in a worker thread, and only there, it throws
// an uncaught error once the file FAIL_SECOND_THREAD_WHEN names exists, as a bug in a
// service on that thread would. The main thread is left alone.
import { existsSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const trigger = process.env.FAIL_SECOND_THREAD_WHEN;
if (!isMainThread && trigger) {
  const watch = setInterval(() => {
    if (!existsSync(trigger)) return;
    clearInterval(watch);
    throw new Error(`injected failure of the second thread (${trigger} exists)`);
  }, 50);
  watch.unref();
}
