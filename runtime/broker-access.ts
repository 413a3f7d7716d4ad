// What each service may do on the broker, derived from the contract, and who sent a
// message. A service's user may
//   - publish only the messages it sends: write on their exchanges, and on each topic
//     exchange only their routing keys (RabbitMQ's topic permissions);
//   - publish into its own parking exchange (its queue, wait queues and dead-letter
//     queue: retries and replays), and nowhere else: no default exchange;
//   - read only its own queues; configure nothing (the setup declares the topology).
// The broker stamps nothing, but it refuses a publish whose user-id is not the
// connection's user; every publish of ours sets it. So a consumer takes the user-id as
// the sender and dead-letters a message its sender may not send: a check that holds
// even where the broker's permissions were set looser than these.
import { messages, services, serviceNames } from '../generated/registry.ts';
import { Header } from './headers.ts';
import { PermanentError } from './errors.ts';
import type { QueuePlan } from './topology.ts';

export interface Permissions {
  /** Regular expressions over resource names, as RabbitMQ's permissions take them. */
  readonly configure: string;
  readonly write: string;
  readonly read: string;
  /** Per topic exchange the service publishes to: the routing keys it may use. */
  readonly topics: readonly { readonly exchange: string; readonly write: string; readonly read: string }[];
}

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches exactly these names; nothing when there are none. */
const exactly = (names: readonly string[]) => (names.length ? `^(${[...new Set(names)].sort().map(escape).join('|')})$` : '^$');

/** The services the contract lets send this message type. */
export function producersOf(type: string): readonly string[] {
  return serviceNames.filter((s) => (services[s]?.sends as readonly string[] | undefined)?.includes(type));
}

export function permissionsOf(service: string, plan: QueuePlan | undefined): Permissions {
  const sends = services[service]?.sends ?? [];
  const byExchange = new Map<string, string[]>();
  for (const type of sends) {
    const route = messages[type];
    byExchange.set(route.exchange, [...(byExchange.get(route.exchange) ?? []), route.routingKey]);
  }
  return {
    configure: '^$',
    write: exactly([...byExchange.keys(), ...(plan ? [plan.parkingExchange] : [])]),
    // its queue to consume, its dead-letter queue for the operator's tool (npm run dlq)
    read: exactly(plan ? [plan.queue, plan.deadLetterQueue] : []),
    topics: [...byExchange].map(([exchange, keys]) => ({ exchange, write: exactly(keys), read: '.*' })).sort((a, b) => a.exchange.localeCompare(b.exchange)),
  };
}

/** A message whose sender the contract does not allow to send it: no retry can cure it. */
export class ForgedSenderError extends PermanentError {
  override readonly name = 'ForgedSenderError';
}

/**
 * The service that sent the delivery: the user-id the broker checked. A copy the consuming
 * service parked itself (a retry, a replayed dead letter) carries its own user-id and names,
 * in a header, the sender it had when it first arrived.
 */
export function senderOf(userId: unknown, headers: Readonly<Record<string, unknown>> | undefined, service: string): string | undefined {
  const user = userId === undefined || userId === null ? undefined : String(userId);
  const vouched = headers?.[Header.sender];
  if (user === service && typeof vouched === 'string') return vouched;
  return user;
}

/** The sender, once the contract lets it send messages of `type`; ForgedSenderError otherwise. */
export function checkSender(type: string, sender: string | undefined, service: string): string {
  const producers = producersOf(type);
  if (sender !== undefined && producers.includes(sender)) return sender;
  const allowed = producers.length ? producers.join(', ') : 'no service';
  throw new ForgedSenderError(sender === undefined
    ? `${type} arrived at ${service} without a user-id: its sender is unknown (the contract lets ${allowed} send it)`
    : `${type} arrived at ${service} from the broker user "${sender}", but the contract lets only ${allowed} send it`);
}
