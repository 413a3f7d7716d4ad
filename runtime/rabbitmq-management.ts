// RabbitMQ's management HTTP API, as the user its URL names: the broker setup's users
// and permissions, and the tests' vhosts. A 404 is an answer (the thing is not there);
// any other failure throws, naming the call, and so does a call not answered in time.

/** A management call with no answer this long after it began fails (a silent broker would hold it for minutes). */
const ANSWER_WITHIN_MS = 10_000;

export async function managementRequest(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(base);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const method = init.method ?? 'GET';
  const res = await fetch(new URL(`/api${path}`, url), {
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    ...init,
    headers: { authorization, 'content-type': 'application/json', ...(init.headers ?? {}) },
  }).catch((err: Error) => {
    throw new Error(`RabbitMQ management API at ${url.host} unreachable (${method} ${path}): ${err.message}`);
  });
  if (!res.ok && res.status !== 404) throw new Error(`RabbitMQ management API ${method} ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}
