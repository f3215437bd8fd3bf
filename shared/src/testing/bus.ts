import { connect } from 'amqplib';
import { createAmqpBus, type AmqpBus } from '../bus';
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
export function startTestBus(logger: Logger = quietLogger('bus')): TestBus {
  const namespace = uniqueName('fitnexa');
  const bus = createAmqpBus({ url: testRabbitUrl(), name: namespace, namespace, logger });
  return { bus, namespace, dispose: () => disposeTestBus(bus) };
}

async function disposeTestBus(bus: AmqpBus): Promise<void> {
  await bus.close();
  const { exchanges, queues } = bus.declared();
  if (exchanges.length === 0 && queues.length === 0) return;
  const connection = await connect(testRabbitUrl());
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}
