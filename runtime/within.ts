// Waiting for something with a limit: the shutdown's steps, a metrics query, a readiness probe.

/**
 * What `work` resolves to, or `late` if it has not settled within `ms`; its rejection is
 * passed on. Work left behind goes on running (the caller says what becomes of it); the
 * timer does not outlive the wait.
 */
export async function within<T, L>(work: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const lateness = new Promise<L>((resolve) => { timer = setTimeout(resolve, ms, late); });
  try {
    return await Promise.race([work, lateness]);
  } finally {
    clearTimeout(timer);
  }
}
