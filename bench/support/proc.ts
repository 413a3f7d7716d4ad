// What the kernel says about processes (Linux /proc): CPU time per process group and
// resident memory, sampled while the load runs. CPU is accumulated per pid from sample
// to sample, so a process that starts during the window (a new PostgreSQL backend)
// counts from zero and one that ends keeps what it used up to its last sample.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second: the unit of utime and stime. */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime of a process (or, with `tid`, of one of its threads) in ticks, and its command (thread) name; undefined when it is gone. */
function stat(pid: number, tid?: number): { comm: string; ticks: number } | undefined {
  let text: string;
  try {
    text = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined; // gone between listing and reading
  }
  // comm is in parentheses and may hold spaces; the fields after it are fixed.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // After comm: state is field 3, utime field 14, stime field 15 (1-based, man proc).
  return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
}

export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy ticks of the whole machine (every state but idle and iowait), from /proc/stat. */
export function machineBusyTicks(): number {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return user + nice + system + irq + softirq + (steal ?? 0);
}

export interface CpuMeterOptions {
  readonly groups: readonly string[];
  /** Processes to read even when no scan is asked for. */
  readonly pids: readonly number[];
  /** Read every process of the machine (to find the ones named postgres, beam.smp...). */
  readonly scan: boolean;
  /** Processes whose CPU is also told by thread name (Node's MainThread, WorkerThread, V8Worker, libuv-worker...). */
  readonly byThread?: readonly number[];
  /** The group a process belongs to, or undefined (it is left to the rest of the machine). */
  classify(pid: number, comm: string): string | undefined;
}

export interface CpuMeter {
  /** Takes a reading now; call it regularly (every 500 ms) between start and stop. */
  sample(): void;
  /**
   * CPU seconds used by each group, by the processes of no group (by command name), and by
   * the whole machine, from the first sample to the last; and how long that was.
   */
  read(): { groups: Record<string, number>; rest: Record<string, number>; threads: Record<string, number>; machine: number; elapsedSeconds: number };
}

export function cpuMeter(options: CpuMeterOptions): CpuMeter {
  /** The last reading of each process ("pid") and thread ("pid/tid"). */
  const last = new Map<string, number>();
  const used = new Map<string, number>(options.groups.map((g) => [g, 0]));
  const rest = new Map<string, number>();
  const threads = new Map<string, number>();
  const machineStart = machineBusyTicks();
  let machineNow = machineStart;
  const startedAt = performance.now();
  let sampledAt = startedAt;
  let first = true;
  /** Adds what `source` used since its last reading to `into`'s `key`. One seen for the first time after the first sample was born since: all its time counts. */
  const count = (into: Map<string, number>, key: string, source: string, ticks: number) => {
    const before = last.get(source) ?? (first ? ticks : 0);
    into.set(key, (into.get(key) ?? 0) + (ticks - before));
    last.set(source, ticks);
  };
  const sample = () => {
    const pids = new Set<number>(options.pids);
    if (options.scan) for (const entry of readdirSync('/proc')) if (/^\d+$/.test(entry)) pids.add(Number(entry));
    for (const pid of pids) {
      const s = stat(pid);
      if (!s) continue;
      const group = options.classify(pid, s.comm);
      count(group === undefined ? rest : used, group ?? s.comm, `${pid}`, s.ticks);
    }
    for (const pid of options.byThread ?? []) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue; // the process is gone
      }
      for (const tid of tids) {
        const s = stat(pid, Number(tid));
        if (s) count(threads, s.comm, `${pid}/${tid}`, s.ticks);
      }
    }
    machineNow = machineBusyTicks();
    sampledAt = performance.now();
    first = false;
  };
  sample();
  return {
    sample,
    read: () => ({
      groups: Object.fromEntries([...used].map(([name, ticks]) => [name, ticks / CLOCK_TICKS])),
      rest: Object.fromEntries([...rest].map(([comm, ticks]) => [comm, ticks / CLOCK_TICKS])),
      threads: Object.fromEntries([...threads].map(([comm, ticks]) => [comm, ticks / CLOCK_TICKS])),
      machine: (machineNow - machineStart) / CLOCK_TICKS,
      elapsedSeconds: (sampledAt - startedAt) / 1000,
    }),
  };
}
