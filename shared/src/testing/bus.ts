import { connect } from 'amqplib';
import { createAmqpBus, type AmqpBus, type MessageBus } from '../bus';
import { EVENTS_EXCHANGE, newEvent } from '../events';
import type { FitnexaEvent, FitnexaEventMap, FitnexaEventType } from '../types';
import type { Logger } from '../logger/types';
import { quietLogger, uniqueName } from './index';

/** The real RabbitMQ tests talk to: RABBITMQ_URL, or this machine's local server. */
export function testRabbitUrl(): string {
  return process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
}

export interface TestBus {
  bus: AmqpBus;
  namespace: string;
  /** Closes the bus and deletes every exchange and queue it declared. */
  dispose(): Promise<void>;
}

/** A bus on the real RabbitMQ whose exchanges and queues no other test run sees. */
export function startTestBus(options: { logger?: Logger; url?: string } = {}): TestBus {
  const namespace = uniqueName('fitnexa');
  const url = options.url ?? testRabbitUrl();
  const logger = options.logger ?? quietLogger('bus');
  const bus = createAmqpBus({ url, name: namespace, namespace, logger });
  return { bus, namespace, dispose: () => disposeTestBus(bus, url) };
}

async function disposeTestBus(bus: AmqpBus, url: string): Promise<void> {
  await bus.close();
  const { exchanges, queues } = bus.declared();
  if (exchanges.length === 0 && queues.length === 0) return;
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}

/** Every event published on the bus with one of the routing keys, from now on, in arrival order. */
export async function recordEvents(
  bus: MessageBus,
  routingKeys: string[] = ['#'],
): Promise<FitnexaEvent[]> {
  const received: FitnexaEvent[] = [];
  await bus.consume(
    {
      queue: uniqueName('test.events'),
      exchange: EVENTS_EXCHANGE,
      routingKeys,
      deadLetterQueue: 'test.dlq',
    },
    async (message) => {
      received.push(message.body as FitnexaEvent);
    },
  );
  return received;
}

/** Publishes an event as the service `source` would (the envelope a relay sends). */
export async function publishEvent<T extends FitnexaEventType>(
  bus: MessageBus,
  source: string,
  type: T,
  data: FitnexaEventMap[T],
): Promise<FitnexaEvent<T>> {
  const event = newEvent(source, type, data);
  await bus.publish(EVENTS_EXCHANGE, type, event, { messageId: event.id });
  return event;
}
