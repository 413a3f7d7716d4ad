// Dead-letter queues for an operator: what sits there and why (`list`, grouped by reason
// with counts and the queue's real depth), and sending messages back once the cause is
// fixed (`replay`, with a dry run, a limit and a progress line). Listing and dry runs
// leave every message in place, in its order. AMQP_URL as for the services.
// `npm run dlq -- --help` says how.
import { parseArgs } from 'node:util';
import { serviceAmqpUrl } from '../runtime/broker-identity.ts';
import { loadConfig, withoutSecrets } from '../runtime/config.ts';
import { groupByReason, inspectDeadLetters, replayDeadLetters, type DeadLetter, type DeadLetterListing } from '../runtime/dead-letters.ts';
import { planQueues } from '../runtime/topology.ts';

const USAGE = `usage: npm run dlq -- <command> [options]

commands:
  list [<service>]               what sits in the dead-letter queue of <service> (every
                                 service when none is named): the total, the reasons with
                                 how many messages each, and the messages themselves
  replay <service> [messageId ...]
                                 send dead letters back to <service>'s queue (same
                                 messageId, attempts counted afresh); only the given
                                 messageIds when some are named

options:
  --service <name>   the service, instead of naming it after the command
  --limit <N>        list: show at most N messages (default 100); the total and the
                     reasons cover every one. replay: at most N messages, oldest first
                     (default all)
  --dry-run          replay: say what would be replayed and replay nothing
  --json             print JSON (one array of queues for list, an object for replay)
  -h, --help         this text

Listing and dry runs leave every message in the dead-letter queue, in its order.
Services with a queue: ${planQueues().map((p) => p.service).join(', ')}.
AMQP_URL names the broker (default amqp://guest:guest@127.0.0.1:5672).`;

function usageError(message: string): never {
  console.error(`dlq: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (err) {
  usageError((err as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, ...rest] = positionals;
if (command !== 'list' && command !== 'replay') usageError(command ? `unknown command ${command}` : 'no command');
const service = values.service ?? (rest.length ? rest.shift() : undefined);
const known = planQueues().map((p) => p.service);
if (service !== undefined && !known.includes(service)) usageError(`no service ${service} has a dead-letter queue (known: ${known.join(', ')})`);
let limit: number | undefined;
if (values.limit !== undefined) {
  limit = Number(values.limit);
  if (!/^\d+$/.test(values.limit) || limit < 1) usageError(`--limit ${values.limit} is not a positive whole number`);
}
if (command === 'list' && (values['dry-run'] || rest.length)) usageError(values['dry-run'] ? '--dry-run is for replay' : `list takes one service (got ${[service, ...rest].join(' ')})`);
if (command === 'replay' && !service) usageError('replay needs a service');

const config = loadConfig();
// each service's dead letters are read and replayed as that service (its own broker user)
const asService = (name: string) => serviceAmqpUrl(config, name);
try {
  if (command === 'list') await list(service ? [service] : known, limit ?? 100);
  else await replay(service!, rest, limit, values['dry-run']);
} catch (err) {
  // the broker's error may quote the URL: never its password
  console.error(`dlq ${command}${service ? ` ${service}` : ''} failed: ${withoutSecrets((err as Error).message, config)}`);
  process.exit(1);
}

async function list(services: readonly string[], max: number): Promise<void> {
  const listings: DeadLetterListing[] = [];
  for (const s of services) listings.push(await inspectDeadLetters(asService(s), s, max));
  if (values.json) {
    console.log(JSON.stringify(listings.map((l) => ({
      service: l.service,
      queue: l.queue,
      total: l.total,
      shown: l.letters.length,
      byReason: l.byReason,
      messages: l.letters,
    })), null, 2));
    return;
  }
  const named = services.length === 1;
  for (const l of listings) {
    if (!named && l.total === 0) continue;
    console.log(`${l.queue}: ${l.total} message(s)`);
    if (l.total === 0) continue;
    console.log('  by reason:');
    for (const g of l.byReason) console.log(`  ${String(g.count).padStart(6)}  ${g.reason}`);
    console.log(l.letters.length < l.total ? `  the oldest ${l.letters.length} (--limit):` : '  messages, oldest first:');
    for (const letter of l.letters) console.log(describe(letter));
  }
  if (!named) {
    const total = listings.reduce((n, l) => n + l.total, 0);
    console.log(`${total} message(s) in the dead-letter queues of ${listings.length} services`);
  }
}

async function replay(name: string, ids: readonly string[], max: number | undefined, dryRun: boolean): Promise<void> {
  const progress = progressLine(dryRun ? 'selected' : 'replayed');
  const letters = await replayDeadLetters(asService(name), name, {
    limit: max,
    messageIds: ids.length ? ids : undefined,
    dryRun,
    onProgress: progress.update,
  });
  progress.done(letters.length);
  const { queue } = planQueues().find((p) => p.service === name)!;
  if (values.json) {
    console.log(JSON.stringify({ service: name, dryRun, replayed: letters.length, byReason: groupByReason(letters), messages: letters }, null, 2));
    return;
  }
  for (const letter of letters) console.log(describe(letter));
  console.log(dryRun
    ? `dry run: ${letters.length} message(s) would be replayed from ${name}'s dead-letter queue to ${queue}; nothing was moved`
    : `${letters.length} message(s) replayed from ${name}'s dead-letter queue to ${queue}`);
}

function describe(l: DeadLetter): string {
  return `  ${l.messageId}  ${l.type ?? '?'}  order ${l.correlationId ?? '-'}  attempts ${l.attempts}  at ${l.deadLetteredAt ?? '?'}\n      ${l.error}`;
}

/** "replayed 40/100" on stderr: rewritten in place on a terminal, a line per 10% (and the last) otherwise. */
function progressLine(verb: string): { update(done: number, planned: number): void; done(total: number): void } {
  const tty = process.stderr.isTTY === true;
  let shown = -1;
  let lastPlanned = 0;
  return {
    update(done, planned) {
      lastPlanned = planned;
      if (tty) {
        process.stderr.write(`\r${verb} ${done}/${planned}`);
        return;
      }
      const step = Math.max(1, Math.ceil(planned / 10));
      if (done === planned || Math.floor(done / step) > Math.floor(shown / step)) {
        console.error(`${verb} ${done}/${planned}`);
        shown = done;
      }
    },
    done(total) {
      if (tty && lastPlanned > 0) process.stderr.write('\n');
      else if (!tty && total > 0 && shown !== total) console.error(`${verb} ${total}/${lastPlanned}`);
    },
  };
}
