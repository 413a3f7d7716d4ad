// The benchmark's SMTP server as a process of its own, on SMTP_SINK_PORT: it accepts every
// message and keeps none (the benchmark reads what was sent from mail.emails). It stands
// for the mail relay outside the shop. Inside the benchmark's driver, which also drives
// 64 HTTP clients and reads the monitors, every SMTP reply waited for that event loop:
// per-service, flat out on this 2-core machine, the driver's event loop lagged 20–360 ms
// (p50 over 5 s), the order e-mails of one service left at about 80/s over 32
// connections, and terminal → last e-mail took 12.8 s p50 against 1.5 s with this process
// (bench/ROUNDS.md, fifteenth round). SIGTERM/SIGINT close it, after a line with how many
// messages it accepted. SMTP_SINK_ACCEPT_DELAY_MS makes it a slow relay: it takes that long
// to accept each message (`npm run bench -- SMTP_SINK_ACCEPT_DELAY_MS=200`).
import { portFromEnv } from '../../runtime/mail/catcher.ts';
import { startSmtpServer } from '../../test/support/smtp.ts';

/** The port it must listen on: the bench hands it one, so "any free port" (0, or unset) is refused too. */
function sinkPort(): number {
  try {
    const port = portFromEnv('SMTP_SINK_PORT', 0);
    if (port !== 0) return port;
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  console.error(`SMTP_SINK_PORT=${process.env.SMTP_SINK_PORT ?? ''} is not a port number to listen on (1-65535)`);
  process.exit(2);
}

/** How long it takes to accept each message: SMTP_SINK_ACCEPT_DELAY_MS, 0 (at once) when unset. */
function acceptDelayMs(): number {
  const raw = process.env.SMTP_SINK_ACCEPT_DELAY_MS ?? '0';
  const ms = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(ms) || ms < 0 || ms > 600_000) {
    console.error(`SMTP_SINK_ACCEPT_DELAY_MS=${raw} is not a whole number of milliseconds from 0 to 600000`);
    process.exit(2);
  }
  return ms;
}

const port = sinkPort();
const delayMs = acceptDelayMs();
const server = await startSmtpServer(port, { record: false, acceptDelayMs: delayMs });
console.log(JSON.stringify({ msg: 'bench SMTP sink listening', url: server.url, acceptDelayMs: delayMs }));

const stop = () => {
  console.log(JSON.stringify({ msg: 'bench SMTP sink stopping', accepted: server.accepted }));
  server.close().then(() => process.exit(0), (err: Error) => {
    console.error(`bench SMTP sink stop failed: ${err.message}`);
    process.exit(1);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
