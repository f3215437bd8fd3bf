import type { Logger } from '../logger/types';

// What every bus offers (RabbitMQ or in-process): the contract its implementations import.

export interface PublishOptions {
  messageId?: string;
  headers?: Record<string, unknown>;
}

export interface DeliveredMessage<TBody = unknown> {
  body: TBody;
  /** The key it was published with (also on a retry, which travels through a delay queue). */
  routingKey: string;
  messageId?: string;
  headers: Record<string, unknown>;
  /** 1 on the first delivery, 2 on the first retry, ... */
  attempt: number;
}

export interface ConsumeOptions {
  /** A durable queue; every instance of the consuming service shares it. */
  queue: string;
  /** A topic exchange, declared durable if it does not exist. */
  exchange: string;
  /** Topic patterns (`*` one word, `#` any number) the queue is bound with. */
  routingKeys: string[];
  /** The wait before each retry of a message whose handler failed; after the last, it is dead-lettered. */
  retryDelaysMs?: readonly number[];
  /** Where messages that kept failing end, with the error in their headers. */
  deadLetterQueue: string;
  /** Messages in flight per consumer. */
  prefetch?: number;
  /**
   * A queue of this consumer alone (name it uniquely), gone when it disconnects: every instance
   * hears every message, none while away, and a failing message is dead-lettered at once.
   */
  exclusive?: boolean;
}

export interface Consumer {
  /** Stops taking messages; the queue keeps what arrives meanwhile. */
  cancel(): Promise<void>;
}

export type MessageHandler<TBody> = (message: DeliveredMessage<TBody>) => Promise<void>;

/**
 * Topic exchanges and durable queues: RabbitMQ when a URL is configured, or the in-process stand-in
 * with the same behaviour (retries, dead letters) for the embedded default.
 */
export interface MessageBus {
  /** Resolves once the broker has confirmed the message; rejects while it is unreachable. */
  publish(
    exchange: string,
    routingKey: string,
    body: unknown,
    options?: PublishOptions,
  ): Promise<void>;
  /** Consumes a queue from now on, again after every reconnect, until cancelled. */
  consume<TBody>(options: ConsumeOptions, handler: MessageHandler<TBody>): Promise<Consumer>;
  /**
   * Messages ready in a queue (a dead-letter queue, for the metrics); declares it durable when it
   * does not exist yet. Rejects while the broker is unreachable.
   */
  queueDepth(queue: string): Promise<number>;
  /** For readiness: resolves while connected. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_RETRY_DELAYS_MS = [200, 1_000, 5_000] as const;

export class BusUnavailableError extends Error {
  constructor(reason: string) {
    super(`message bus unavailable: ${reason}`);
    this.name = 'BusUnavailableError';
  }
}

export interface MessageBusOptions {
  /** RabbitMQ; absent means in-process. */
  url?: string;
  /** The connection's name in RabbitMQ's management tools. */
  name: string;
  logger: Logger;
  /**
   * Prefixed to every exchange and queue name, so graphs sharing one broker (test runs side by
   * side) never hear each other.
   */
  namespace?: string;
}
