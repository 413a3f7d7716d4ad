// The RabbitMQ topology the runtime declares on start: each receiving service's quorum
// queue with its bindings, its retry wait queues and its dead-letter queue.

/**
 * A queue-name pattern of x-queue-defaults with its placeholders filled in.
 * @param {string} pattern e.g. `{queue}.dlq`
 * @param {Record<string, string | number>} vars
 * @returns {string}
 */
export function fill(pattern, vars) {
  return pattern.replace(/\{(\w+)\}/g, (_, k) => {
    if (vars[k] === undefined) throw new Error(`x-queue-defaults: unknown placeholder {${k}} in ${pattern}`);
    return String(vars[k]);
  });
}

/**
 * One entry per receiving service: its queue, dead-letter queue, limits and one binding
 * per message it receives.
 * @param {import('./model.mjs').Model} model
 */
export function consumersOf(model) {
  const d = model.defaults;
  if (d.type !== 'quorum') throw new Error('x-queue-defaults.type: only quorum queues are supported');
  const messageByName = new Map(model.messages.map((m) => [m.name, m]));
  return model.services.filter((s) => s.receives.length).map((s) => ({
    service: s.name,
    queue: s.queue,
    deadLetterQueue: fill(d.deadLetterQueue, { queue: s.queue }),
    deliveryLimit: d.deliveryLimit,
    deadLetterStrategy: d.deadLetterStrategy,
    retryDelaysMs: d.retryDelaysMs,
    bindings: s.receives.map((r) => {
      const m = messageByName.get(r.message);
      return { exchange: m.exchange.name, routingKey: m.routingKey, message: m.name };
    }),
  }));
}
