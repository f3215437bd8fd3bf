import type { ConfirmChannel } from 'amqplib';
import { DEFAULT_RETRY_DELAYS_MS, type ConsumeOptions } from '../contract';

// An exclusive queue has no delay queues: they would outlive it.
export const retryDelaysOf = (consume: ConsumeOptions): readonly number[] =>
  consume.exclusive ? [] : (consume.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS);

/** The delay queue a message waits in before its next attempt; it expires back into the queue. */
export const retryQueue = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;

/**
 * What the bus declares on the broker: topic exchanges, and for every consumer its queue (bound
 * by routing key), its dead-letter queue and its retry delay queues. Declared again on every new
 * channel (after a reconnect: `reset`), and remembered for `declared()`.
 */
export function createTopology() {
  let declaredExchanges = new Set<string>();
  const everDeclared = { exchanges: new Set<string>(), queues: new Set<string>() };

  const declareExchange = async (on: ConfirmChannel, exchange: string) => {
    if (declaredExchanges.has(exchange)) return;
    await on.assertExchange(exchange, 'topic', { durable: true });
    declaredExchanges.add(exchange);
    everDeclared.exchanges.add(exchange);
  };

  return {
    declareExchange,

    /** A consumer's exchange, queue and bindings, dead-letter queue and retry delay queues. */
    async declareConsumer(on: ConfirmChannel, consume: ConsumeOptions) {
      await declareExchange(on, consume.exchange);
      await on.assertQueue(
        consume.queue,
        consume.exclusive
          ? { exclusive: true, autoDelete: true, durable: false }
          : { durable: true },
      );
      await Promise.all(
        consume.routingKeys.map((key) => on.bindQueue(consume.queue, consume.exchange, key)),
      );
      await on.assertQueue(consume.deadLetterQueue, { durable: true });
      everDeclared.queues.add(consume.queue).add(consume.deadLetterQueue);
      for (const delay of retryDelaysOf(consume)) {
        everDeclared.queues.add(retryQueue(consume.queue, delay));
        await on.assertQueue(retryQueue(consume.queue, delay), {
          durable: true,
          arguments: {
            'x-message-ttl': delay,
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': consume.queue,
          },
        });
      }
    },

    /** A new channel (after a connect): its exchanges are declared again as they are used. */
    reset() {
      declaredExchanges = new Set();
    },

    /** Exchanges and queues declared since the start (namespaced). */
    declared: () => ({
      exchanges: [...everDeclared.exchanges],
      queues: [...everDeclared.queues],
    }),
  };
}

export type Topology = ReturnType<typeof createTopology>;
