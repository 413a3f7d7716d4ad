// Time-ordered UUIDs (RFC 9562, version 7): 48 bits of Unix milliseconds, then 74 random
// bits. Every table here is keyed by the ids the services make (the inbox by message id,
// orders, payments, invoices and the timeline by order id, e-mails by their own): with
// random (version 4) ids each insert lands on a random page of each index, and over a
// few minutes of load those indexes outgrew the buffers; ids that grow with time insert
// at the right edge, on pages already in memory. 74 random bits leave an id as hard to
// guess as one needs to be (2^74 within a millisecond); it does tell when it was made.
import { randomHex } from './random-hex.ts';

/** A version-7 UUID for the given time (Date.now() by default), lower-case. */
export function uuidv7(now: number = Date.now()): string {
  if (!Number.isInteger(now) || now < 0 || now >= 2 ** 48) throw new RangeError(`a version-7 UUID needs a time of 0 to 2^48 - 1 ms, not ${now}`);
  const time = now.toString(16).padStart(12, '0');
  const random = randomHex(10);
  const variant = ((parseInt(random[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 19)}`;
}
