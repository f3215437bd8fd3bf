import type {
  ConsumeOptions,
  Consumer,
  MessageBus,
  MessageBusOptions,
  MessageHandler,
} from '../contract';
import { connectAmqp } from './connection';
import { confirmed, createDelivery, properties, type Subscription } from './delivery';
import { createTopology } from './topology';

/**
 * RabbitMQ through amqplib's own recovery: it reconnects with backoff, and after every connect one
 * confirm channel is opened, the topology declared again and every consumer resumed. Publishing
 * while disconnected fails at once (callers keep the message: the outbox, the log buffer).
 * The connection: ./connection; exchanges and queues: ./topology; consuming: ./delivery.
 */
export interface AmqpBus extends MessageBus {
  /** Exchanges and queues this bus declared (namespaced): what a test run deletes afterwards. */
  declared(): { exchanges: string[]; queues: string[] };
}

export function createAmqpBus(options: MessageBusOptions & { url: string }): AmqpBus {
  const named = (name: string) => (options.namespace ? `${options.namespace}.${name}` : name);
  const subscriptions = new Set<Subscription>();
  const topology = createTopology();
  const delivery = createDelivery(options.logger);

  const startConsuming = async (
    on: Parameters<typeof topology.declareConsumer>[0],
    subscription: Subscription,
  ) => {
    await topology.declareConsumer(on, subscription.names);
    await delivery.consume(on, subscription);
  };

  const connection = connectAmqp({
    url: options.url,
    name: options.name,
    logger: options.logger,
    async setup(opened) {
      topology.reset();
      for (const subscription of subscriptions) {
        if (!subscription.cancelled) await startConsuming(opened, subscription);
      }
    },
  });

  return {
    async publish(exchange, routingKey, body, publish) {
      const on = connection.current();
      await topology.declareExchange(on, named(exchange));
      const content = Buffer.from(JSON.stringify(body));
      await confirmed((callback) =>
        on.publish(named(exchange), routingKey, content, properties(publish), callback),
      );
    },
    async consume<TBody>(
      consume: ConsumeOptions,
      handler: MessageHandler<TBody>,
    ): Promise<Consumer> {
      const subscription: Subscription = {
        names: {
          ...consume,
          exchange: named(consume.exchange),
          queue: named(consume.queue),
          deadLetterQueue: named(consume.deadLetterQueue),
        },
        handler: handler as MessageHandler<unknown>,
        cancelled: false,
      };
      subscriptions.add(subscription);
      // Connected: consume now. Otherwise the next connect's setup does.
      const channel = connection.channel();
      if (channel) await startConsuming(channel, subscription);
      return {
        async cancel() {
          subscription.cancelled = true;
          subscriptions.delete(subscription);
          const current = connection.channel();
          if (current && subscription.consumerTag) {
            await current.cancel(subscription.consumerTag).catch(() => undefined);
          }
        },
      };
    },
    async queueDepth(queue) {
      // Asserted, not checked: checking a missing queue would close the channel publishes use.
      const { messageCount } = await connection
        .current()
        .assertQueue(named(queue), { durable: true });
      return messageCount;
    },
    async ping() {
      connection.current();
    },
    declared: topology.declared,
    close: () => connection.close(),
  };
}
