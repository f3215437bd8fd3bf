export { createAmqpBus, type AmqpBus } from './amqp/index';
export {
  BusUnavailableError,
  DEFAULT_RETRY_DELAYS_MS,
  type ConsumeOptions,
  type Consumer,
  type DeliveredMessage,
  type MessageBus,
  type MessageBusOptions,
  type MessageHandler,
  type PublishOptions,
} from './contract';
export { createMessageBus } from './create';
export { createMemoryBus, type MemoryBus } from './memory';
export { matchesRoutingKey } from './routing';
