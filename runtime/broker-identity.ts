// Who a service is on the broker: its own RabbitMQ user, named as the service in
// asyncapi.yaml, with the password AMQP_PASSWORD_<SERVICE>. The broker checks every
// publish's user-id against it (runtime/publisher.ts sets it), so a consumer knows
// which service sent a message (runtime/broker-access.ts).
// A broker on this machine (loopback) may do without the passwords: each service then
// has a well-known local one, as guest/guest is. Anywhere else a missing password stops
// the start, so no deployment runs on a password everyone knows.
import { ConfigError, envSuffix, type Config } from './config.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The local stand-in password of a service, for a broker on loopback only. */
export const localPassword = (service: string) => `${service}-local-only`;

export function servicePassword(config: Pick<Config, 'amqpUrl' | 'amqpPasswords'>, service: string): string {
  const given = config.amqpPasswords[service];
  if (given) return given;
  const host = new URL(config.amqpUrl).hostname;
  if (LOOPBACK.has(host)) return localPassword(service);
  throw new ConfigError(`AMQP_PASSWORD_${envSuffix(service)} is not set: ${service} connects to the broker at ${host} as its own user, and a broker beyond this machine gets no default password`);
}

/** AMQP_URL (the broker and its vhost) with the service's own user and password in place of the administrator's. */
export function serviceAmqpUrl(config: Pick<Config, 'amqpUrl' | 'amqpPasswords'>, service: string): string {
  const url = new URL(config.amqpUrl);
  url.username = encodeURIComponent(service);
  url.password = encodeURIComponent(servicePassword(config, service));
  return url.toString();
}

/** The vhost AMQP_URL names ("/" when its path is empty). */
export function vhostOf(amqpUrl: string): string {
  const path = new URL(amqpUrl).pathname;
  return path === '' || path === '/' ? '/' : decodeURIComponent(path.slice(1));
}
