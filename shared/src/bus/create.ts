import { createAmqpBus } from './amqp/index';
import type { MessageBus, MessageBusOptions } from './contract';
import { createMemoryBus } from './memory';

/** RabbitMQ at `url` (connecting in the background: a service starts while it is down), or in-process. */
export function createMessageBus(options: MessageBusOptions): MessageBus {
  return options.url ? createAmqpBus({ ...options, url: options.url }) : createMemoryBus();
}
