import {
  DEFAULT_RETRY_DELAYS_MS,
  type ConsumeOptions,
  type Consumer,
  type DeliveredMessage,
  type MessageBus,
  type MessageHandler,
  type PublishOptions,
} from './contract';
import { matchesRoutingKey } from './routing';

interface Queue {
  options: ConsumeOptions;
  /** Instances consuming the queue take turns, as RabbitMQ's consumers of one queue do. */
  handlers: MessageHandler<unknown>[];
  next: number;
  /** Held while nobody consumes, as a durable queue holds them. */
  waiting: DeliveredMessage[];
}

export interface MemoryBus extends MessageBus {
  /** What ended in a dead-letter queue, oldest first. */
  deadLetters(queue: string): DeliveredMessage[];
}

/**
 * The embedded default's broker: one per process, shared by every service in it. Deliveries are
 * asynchronous, and failing handlers are retried and dead-lettered as RabbitMQ would.
 */
export function createMemoryBus(): MemoryBus {
  const queues = new Map<string, Queue>();
  const deadLetters = new Map<string, DeliveredMessage[]>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) run();
    }, ms);
    timers.add(timer);
  };

  const deliver = (queue: Queue, message: DeliveredMessage) => {
    if (queue.handlers.length === 0) {
      queue.waiting.push(message);
      return;
    }
    const handler = queue.handlers[queue.next % queue.handlers.length];
    queue.next += 1;
    handler(message).catch((error: unknown) => {
      const delays = queue.options.exclusive
        ? []
        : (queue.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS);
      if (message.attempt <= delays.length) {
        later(delays[message.attempt - 1], () =>
          deliver(queue, { ...message, attempt: message.attempt + 1 }),
        );
        return;
      }
      const dead = deadLetters.get(queue.options.deadLetterQueue) ?? [];
      dead.push({
        ...message,
        headers: { ...message.headers, 'x-error': String(error), 'x-queue': queue.options.queue },
      });
      deadLetters.set(queue.options.deadLetterQueue, dead);
    });
  };

  return {
    async publish(exchange: string, routingKey: string, body: unknown, options?: PublishOptions) {
      // A copy, as a broker would deliver: consumers never share the publisher's object.
      const payload: unknown = JSON.parse(JSON.stringify(body));
      for (const queue of queues.values()) {
        if (queue.options.exchange !== exchange) continue;
        if (!queue.options.routingKeys.some((pattern) => matchesRoutingKey(pattern, routingKey)))
          continue;
        const message: DeliveredMessage = {
          body: payload,
          routingKey,
          messageId: options?.messageId,
          headers: options?.headers ?? {},
          attempt: 1,
        };
        later(0, () => deliver(queue, message));
      }
    },
    async consume<TBody>(
      options: ConsumeOptions,
      handler: MessageHandler<TBody>,
    ): Promise<Consumer> {
      const queue = queues.get(options.queue) ?? { options, handlers: [], next: 0, waiting: [] };
      const consumer = handler as MessageHandler<unknown>;
      queue.handlers.push(consumer);
      queues.set(options.queue, queue);
      for (const message of queue.waiting.splice(0)) later(0, () => deliver(queue, message));
      return {
        async cancel() {
          queue.handlers = queue.handlers.filter((registered) => registered !== consumer);
        },
      };
    },
    async queueDepth(queue) {
      return (deadLetters.get(queue)?.length ?? 0) + (queues.get(queue)?.waiting.length ?? 0);
    },
    async ping() {},
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    deadLetters: (queue) => deadLetters.get(queue) ?? [],
  };
}
