// Sets the broker up for the contract, as its administrator (AMQP_URL's user): one user
// per service (runtime/broker-identity.ts) with its permissions in this vhost
// (runtime/broker-access.ts), then the whole topology (runtime/topology.ts). It runs at
// start when BROKER_SETUP=on (the local default), or once as compose's broker-setup job
// while the services, which may configure nothing, wait for it. Idempotent: running it
// again, or twice at once, leaves the same broker.
import { createHash } from 'node:crypto';
import amqp from 'amqplib';
import { serviceNames } from '../generated/registry.ts';
import { permissionsOf } from './broker-access.ts';
import { servicePassword, vhostOf } from './broker-identity.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { managementRequest } from './rabbitmq-management.ts';
import { declareTopology, planQueues } from './topology.ts';

type SetupConfig = Pick<Config, 'amqpUrl' | 'managementUrl' | 'amqpPasswords' | 'retryDelaysMs' | 'connectTimeoutMs'>;

export async function setupBroker(config: SetupConfig, log: Logger): Promise<void> {
  const api = managementApi(config.managementUrl);
  const vhost = vhostOf(config.amqpUrl);
  const plans = new Map(planQueues(config.retryDelaysMs).map((p) => [p.service, p]));
  const changed: string[] = [];
  for (const service of serviceNames) {
    const user = encodeURIComponent(service);
    const where = `/${encodeURIComponent(vhost)}/${user}`;
    const password = servicePassword(config, service);
    const existing = await api.get<{ password_hash?: string; tags?: unknown }>(`/users/${user}`);
    if (!existing || !hashMatches(existing.password_hash, password)) {
      await api.put(`/users/${user}`, { password, tags: '' });
      changed.push(`user ${service}`);
    }
    const wanted = permissionsOf(service, plans.get(service));
    await api.put(`/permissions${where}`, { configure: wanted.configure, write: wanted.write, read: wanted.read });
    // A topic permission left from an older contract would allow what the contract no longer does.
    const topics = (await api.get<{ exchange: string; write: string; read: string }[]>(`/topic-permissions${where}`)) ?? [];
    const same = topics.length === wanted.topics.length && wanted.topics.every((t) => topics.some((e) => e.exchange === t.exchange && e.write === t.write && e.read === t.read));
    if (!same) {
      if (topics.length) await api.delete(`/topic-permissions${where}`);
      for (const t of wanted.topics) await api.put(`/topic-permissions${where}`, t);
    }
  }
  const connection = await amqp.connect(config.amqpUrl, { timeout: config.connectTimeoutMs });
  try {
    await declareTopology(connection, config.retryDelaysMs);
  } finally {
    await connection.close().catch(() => undefined);
  }
  log.info({ vhost, services: serviceNames.length, changed }, 'broker set up: users, permissions and topology');
}

/**
 * Whether RabbitMQ's stored hash (rabbit_password_hashing_sha256: base64 of a 4-byte salt
 * and sha256(salt + password)) is of this password: an unchanged user is not rewritten.
 */
function hashMatches(stored: string | undefined, password: string): boolean {
  if (!stored) return false;
  const raw = Buffer.from(stored, 'base64');
  if (raw.length !== 36) return false;
  const salt = raw.subarray(0, 4);
  return createHash('sha256').update(salt).update(password, 'utf8').digest().equals(raw.subarray(4));
}

function managementApi(base: string) {
  const json = (body: unknown): RequestInit => ({ body: JSON.stringify(body) });
  return {
    get: async <T>(path: string): Promise<T | undefined> => {
      const res = await managementRequest(base, path);
      return res.status === 404 ? undefined : (await res.json()) as T;
    },
    put: async (path: string, body: unknown) => void await managementRequest(base, path, { method: 'PUT', ...json(body) }),
    delete: async (path: string) => void await managementRequest(base, path, { method: 'DELETE' }),
  };
}
