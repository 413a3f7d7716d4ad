// A logger whose JSON lines a test reads back: each line parsed, in the order written
// (JSON whatever LOG_FORMAT says).
import { Writable } from 'node:stream';
import type { Config } from '../../runtime/config.ts';
import { createLogger, type Logger } from '../../runtime/logger.ts';

export function capturingLogger(config: Pick<Config, 'logLevel'>, bindings: Record<string, unknown>): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ logLevel: config.logLevel }, bindings, capture), lines };
}
