// Where a process allocates, for the bench's KEY=VALUE settings:
//   npm run bench -- --seconds 30 --skip-raw "NODE_OPTIONS=--import ./bench/heap-profile.ts" HEAP_PROFILE_DIR=/tmp/heap
// Each process of the system then samples its allocations (V8's sampling heap profiler,
// objects already collected included: what the garbage collector has to clean up, not
// only what stays) from HEAP_PROFILE_AFTER_S seconds after its start (default 15: past
// the start-up) for HEAP_PROFILE_FOR_S seconds (default 20), and writes
// HEAP_PROFILE_DIR/heap-<pid>.heapprofile (Chrome DevTools opens it; `node
// bench/heap-top.ts FILE` lists the top allocation sites). Without HEAP_PROFILE_DIR it does nothing.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

const dir = process.env.HEAP_PROFILE_DIR;
if (dir) {
  const after = Number(process.env.HEAP_PROFILE_AFTER_S ?? 15) * 1000;
  const span = Number(process.env.HEAP_PROFILE_FOR_S ?? 20) * 1000;
  const session = new Session();
  session.connect();
  setTimeout(async () => {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    setTimeout(async () => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(path.join(dir, `heap-${process.pid}.heapprofile`), JSON.stringify(profile));
    }, span).unref();
  }, after).unref();
}
