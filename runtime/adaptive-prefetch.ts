// Deliveries in flight that follow a slow dependency's latency. A consumer whose every
// delivery waits on an outside call (payment on the card processor) can keep only as
// many calls going as its prefetch: 128 in flight against a processor answering in 2 s
// cap the shop at 64 orders a second, whatever the rest could do (Little's law: calls in
// flight = calls per second × seconds per call). A fixed prefetch sized for the slowest
// processor would instead send a burst of that many calls at a fast one that needs a
// tenth of them, and keep sending them at one that is slow because it is overloaded.
//
// So the prefetch moves between a floor (the service's own, PREFETCH_<SERVICE>) and a
// ceiling, by what the calls show over a window of several calls' latency:
// - every delivery's call busy (mean calls in flight at least SATURATED of the prefetch),
//   and some answered: it doubles, and stays doubled only if the calls answered per
//   second rose by PAID_OFF at least; if they did not (the dependency, not the prefetch,
//   sets the pace) it goes back and does not try again for HOLD_WINDOWS windows;
// - the dependency says it is overloaded (a 503, a 429, a timeout): it halves;
// - the calls use under a quarter of it: it halves (down to the floor), so the next
//   burst does not find a large prefetch left over from a slow hour.
// While the consumer cannot take deliveries (an outage, a reconnection) nothing is judged,
// so it resumes with the prefetch it had, not with one an empty window talked down.
// A consumer's prefetch cannot be changed for a consumer that is already consuming
// (RabbitMQ applies basic.qos to consumers started after it, and quorum queues have no
// channel-wide prefetch): Consumer.setPrefetch consumes anew (runtime/consumer.ts).
import type { Logger } from './logger.ts';

/** Calls in flight, as a share of the prefetch, above which every delivery is taken to be waiting on its call. */
export const SATURATED = 0.75;
/** A doubling stays only if the calls answered per second rose by this factor at least. */
export const PAID_OFF = 1.2;
/** Windows without a further doubling after one that bought nothing. */
export const HOLD_WINDOWS = 6;
/** The shortest window; a window also lasts three calls' latency, so that a doubling's calls have answered within it. */
export const MIN_WINDOW_MS = 5000;

/** What the calls did over one window. */
export interface CallWindow {
  readonly ms: number;
  /** Calls that got an answer (any answer the dependency gave: approved, declined). */
  readonly answered: number;
  /** Calls the dependency refused as overloaded or left unanswered (503, 429, a timeout). */
  readonly overloaded: number;
  /** Calls in flight, integrated over the window (ms × calls): divided by ms, the mean in flight. */
  readonly busyMs: number;
}

export interface PrefetchBounds {
  readonly floor: number;
  readonly ceiling: number;
}

/** The rule's state between windows. */
export interface PrefetchState {
  readonly prefetch: number;
  /** Set by a doubling: the prefetch and the answer rate before it, to judge it by. */
  readonly grownFrom?: { readonly prefetch: number; readonly perSecond: number };
  /** Windows left before another doubling may be tried. */
  readonly hold: number;
}

export interface PrefetchDecision extends PrefetchState {
  /** Why it changed, for the log; undefined when it did not. */
  readonly why?: string;
}

/** The next window's prefetch, by the rule in this file's header. */
export function nextPrefetch(state: PrefetchState, window: CallWindow, bounds: PrefetchBounds): PrefetchDecision {
  const { prefetch } = state;
  const hold = Math.max(0, state.hold - 1);
  const inFlight = window.ms > 0 ? window.busyMs / window.ms : 0;
  const perSecond = window.ms > 0 ? window.answered / (window.ms / 1000) : 0;
  const halved = Math.max(bounds.floor, Math.ceil(prefetch / 2));
  if (window.overloaded > 0) {
    return { prefetch: halved, hold: HOLD_WINDOWS, why: halved < prefetch ? `the dependency was overloaded (${window.overloaded} calls refused or unanswered)` : undefined };
  }
  if (inFlight >= SATURATED * prefetch) {
    if (state.grownFrom && perSecond < state.grownFrom.perSecond * PAID_OFF) {
      return { prefetch: state.grownFrom.prefetch, hold: HOLD_WINDOWS, why: `doubling bought nothing (${perSecond.toFixed(1)} answers/s against ${state.grownFrom.perSecond.toFixed(1)})` };
    }
    // calls in flight and none answered: the dependency is stuck, not slow; more calls would only join them
    if (hold === 0 && prefetch < bounds.ceiling && window.answered > 0) {
      const grown = Math.min(bounds.ceiling, prefetch * 2);
      return { prefetch: grown, grownFrom: { prefetch, perSecond }, hold, why: `every delivery waited on its call (${inFlight.toFixed(0)} in flight, ${perSecond.toFixed(1)} answers/s)` };
    }
    return { prefetch, hold };
  }
  if (inFlight < prefetch / 4 && halved < prefetch) {
    return { prefetch: halved, hold, why: `the calls used a quarter of it at most (${inFlight.toFixed(0)} in flight)` };
  }
  return { prefetch, hold };
}

/** Counts one dependency's calls: how many are in flight over time, how many were answered, how many overloaded. */
export class CallMeter {
  readonly #now: () => number;
  #inFlight = 0;
  #since: number;
  #changedAt: number;
  #busyMs = 0;
  #answered = 0;
  #overloaded = 0;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#since = this.#changedAt = now();
  }

  /** A call begins; the function returned ends it, once, saying how. */
  begin(): (outcome: 'answered' | 'overloaded' | 'other') => void {
    this.#count(+1);
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      this.#count(-1);
      if (outcome === 'answered') this.#answered += 1;
      else if (outcome === 'overloaded') this.#overloaded += 1;
    };
  }

  /** Milliseconds since the window began. */
  get elapsedMs(): number {
    return this.#now() - this.#since;
  }

  /** Mean milliseconds per answered call in the window so far (0 before any). */
  get meanLatencyMs(): number {
    this.#count(0);
    return this.#answered > 0 ? this.#busyMs / this.#answered : 0;
  }

  /** The window so far; the next one begins now. */
  take(): CallWindow {
    this.#count(0);
    const window = { ms: this.#now() - this.#since, answered: this.#answered, overloaded: this.#overloaded, busyMs: this.#busyMs };
    this.#since = this.#changedAt;
    this.#busyMs = this.#answered = this.#overloaded = 0;
    return window;
  }

  #count(delta: number): void {
    const now = this.#now();
    this.#busyMs += this.#inFlight * (now - this.#changedAt);
    this.#changedAt = now;
    this.#inFlight += delta;
  }
}

/** What the rule steers: a consumer's prefetch. */
export interface PrefetchTarget {
  readonly prefetch: number;
  /** False while no deliveries can come (paused for an outage, reconnecting): such a time says nothing about the dependency. */
  readonly consuming: boolean;
  setPrefetch(prefetch: number): Promise<void>;
}

export interface FollowOptions extends PrefetchBounds {
  readonly meter: CallMeter;
  readonly target: PrefetchTarget;
  readonly log: Logger;
  /** How often a window is checked for its end (default 1000). */
  readonly tickMs?: number;
  /** The shortest window (default MIN_WINDOW_MS). */
  readonly minWindowMs?: number;
}

/** Moves the target's prefetch by the meter's windows until stopped. */
export function followCallLoad(options: FollowOptions): { stop(): void } {
  const { meter, target, log, floor, ceiling } = options;
  const minWindowMs = options.minWindowMs ?? MIN_WINDOW_MS;
  let state: PrefetchState = { prefetch: target.prefetch, hold: 0 };
  let changing: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (changing) return;
    // A window with time in it when no delivery could come is not judged: the prefetch stays as it was before the outage.
    if (!target.consuming) { meter.take(); return; }
    if (meter.elapsedMs < Math.max(minWindowMs, 3 * meter.meanLatencyMs)) return;
    const decision = nextPrefetch({ ...state, prefetch: target.prefetch }, meter.take(), { floor, ceiling });
    state = decision;
    if (decision.prefetch === target.prefetch) return;
    log.info({ from: target.prefetch, to: decision.prefetch, why: decision.why }, 'prefetch follows the calls\' latency');
    changing = target.setPrefetch(decision.prefetch)
      .catch((err) => log.warn({ err: (err as Error).message, prefetch: decision.prefetch }, 'could not apply the prefetch on the current channel; the consumer\'s next channel takes it'))
      .finally(() => { changing = undefined; meter.take(); });
  }, options.tickMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
