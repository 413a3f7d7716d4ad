// Dead-letter queues by hand: `npm run dlq -- list <service>` shows why each message
// is there; `npm run dlq -- replay <service> [messageId ...]` sends them back to
// the service once the cause is fixed. AMQP_URL as for the services.
import { loadConfig } from '../runtime/config.ts';
import { listDeadLetters, replayDeadLetters } from '../runtime/dead-letters.ts';

const [command, service, ...ids] = process.argv.slice(2);
if (!['list', 'replay'].includes(command ?? '') || !service) {
  console.error('usage: npm run dlq -- list <service>\n       npm run dlq -- replay <service> [messageId ...]');
  process.exit(2);
}
const { amqpUrl } = loadConfig();
try {
  const letters = command === 'list'
    ? await listDeadLetters(amqpUrl, service)
    : await replayDeadLetters(amqpUrl, service, ids.length ? { messageIds: ids } : {});
  for (const l of letters) {
    console.log(`${l.messageId}  ${l.type ?? '?'}  order ${l.correlationId ?? '-'}  attempts ${l.attempts}  at ${l.deadLetteredAt ?? '?'}\n    ${l.error}`);
  }
  console.log(`${letters.length} message(s) ${command === 'list' ? 'in' : 'replayed from'} ${service}'s dead-letter queue`);
} catch (err) {
  console.error(`dlq ${command} ${service} failed: ${(err as Error).message}`);
  process.exit(1);
}
