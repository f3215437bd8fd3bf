import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Options,
} from 'amqplib';
import {
  BusUnavailableError,
  DEFAULT_RETRY_DELAYS_MS,
  type ConsumeOptions,
  type Consumer,
  type MessageBus,
  type MessageBusOptions,
  type MessageHandler,
  type PublishOptions,
} from './contract';
import { errorMessage } from '../errors';

const ATTEMPT_HEADER = 'x-attempt';
const ROUTING_KEY_HEADER = 'x-routing-key';
// A confirm that never comes (a broker gone mid-publish) must not hold the caller forever.
const CONFIRM_TIMEOUT_MS = 5_000;

interface Subscription {
  /** The consume options with the namespace applied to exchange and queue names. */
  names: ConsumeOptions;
  handler: MessageHandler<unknown>;
  cancelled: boolean;
  consumerTag?: string;
}

// An exclusive queue has no delay queues: they would outlive it.
const retryDelaysOf = (consume: ConsumeOptions): readonly number[] =>
  consume.exclusive ? [] : (consume.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS);

/** The delay queue a message waits in before its next attempt; it expires back into the queue. */
const retryQueue = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;

/**
 * RabbitMQ through amqplib's own recovery: it reconnects with backoff, and after every connect one
 * confirm channel is opened, the topology declared again and every consumer resumed. Publishing
 * while disconnected fails at once (callers keep the message: the outbox, the log buffer).
 */
export interface AmqpBus extends MessageBus {
  /** Exchanges and queues this bus declared (namespaced): what a test run deletes afterwards. */
  declared(): { exchanges: string[]; queues: string[] };
}

export function createAmqpBus(options: MessageBusOptions & { url: string }): AmqpBus {
  const { logger } = options;
  const named = (name: string) => (options.namespace ? `${options.namespace}.${name}` : name);
  const subscriptions = new Set<Subscription>();
  let channel: ConfirmChannel | undefined;
  let declaredExchanges = new Set<string>();
  let closing = false;
  let lostSince: number | undefined;
  const everDeclared = { exchanges: new Set<string>(), queues: new Set<string>() };

  const declareExchange = async (on: ConfirmChannel, exchange: string) => {
    if (declaredExchanges.has(exchange)) return;
    await on.assertExchange(exchange, 'topic', { durable: true });
    declaredExchanges.add(exchange);
    everDeclared.exchanges.add(exchange);
  };

  /** Sends with `send` and resolves on the broker's confirm (its callback), bounded in time. */
  const confirmed = (send: (callback: (error: unknown) => void) => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BusUnavailableError('no confirm from the broker')),
        CONFIRM_TIMEOUT_MS,
      );
      const done = (error: unknown) => {
        clearTimeout(timer);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve();
      };
      try {
        send(done);
      } catch (error) {
        done(error ?? new Error('publish failed'));
      }
    });

  const properties = (publish?: PublishOptions): Options.Publish => ({
    persistent: true,
    contentType: 'application/json',
    messageId: publish?.messageId,
    headers: publish?.headers,
  });

  /**
   * Handles one delivery and settles it: acked once handled, rescheduled or dead-lettered. Never
   * rejects (nobody awaits it): a delivery it could not settle, because the channel went away
   * meanwhile, stays unacked, and the broker delivers it again once the channel is back.
   */
  const handle = async (on: ConfirmChannel, subscription: Subscription, raw: ConsumeMessage) => {
    try {
      await settle(on, subscription, raw);
    } catch (error) {
      logger.warn('could not settle a message; it will be redelivered', {
        queue: subscription.names.queue,
        messageId: raw.properties.messageId,
        error: errorMessage(error),
      });
    }
  };

  const settle = async (on: ConfirmChannel, subscription: Subscription, raw: ConsumeMessage) => {
    const consume = subscription.names;
    const headers = { ...(raw.properties.headers ?? {}) } as Record<string, unknown>;
    const attempt = Number(headers[ATTEMPT_HEADER] ?? 1);
    const routingKey = String(headers[ROUTING_KEY_HEADER] ?? raw.fields.routingKey);
    let body: unknown;
    try {
      body = JSON.parse(raw.content.toString('utf8'));
    } catch (error) {
      // Unparseable: no retry can help.
      await deadLetter(on, consume, raw, headers, routingKey, error, attempt);
      return;
    }
    let handled = false;
    try {
      await subscription.handler({
        body,
        routingKey,
        messageId: raw.properties.messageId as string | undefined,
        headers,
        attempt,
      });
      handled = true;
    } catch (error) {
      const delays = retryDelaysOf(consume);
      try {
        if (attempt <= delays.length) {
          const delay = delays[attempt - 1];
          await confirmed((callback) =>
            on.sendToQueue(
              retryQueue(consume.queue, delay),
              raw.content,
              {
                ...properties({ messageId: raw.properties.messageId as string | undefined }),
                headers: {
                  ...headers,
                  [ATTEMPT_HEADER]: attempt + 1,
                  [ROUTING_KEY_HEADER]: routingKey,
                },
              },
              callback,
            ),
          );
          logger.warn('message failed; retrying', {
            queue: consume.queue,
            routingKey,
            messageId: raw.properties.messageId,
            attempt,
            retryInMs: delay,
            error: errorMessage(error),
          });
          on.ack(raw);
        } else {
          await deadLetter(on, consume, raw, headers, routingKey, error, attempt);
        }
      } catch (republishError) {
        // Not acked: the broker delivers it again once the channel is back.
        logger.warn('could not reschedule a failed message; it will be redelivered', {
          queue: consume.queue,
          error: errorMessage(republishError),
        });
      }
    }
    // Outside the handler's try: an ack lost with the channel is no failure of the handler (the
    // redelivery finds the event handled).
    if (handled) on.ack(raw);
  };

  const deadLetter = async (
    on: ConfirmChannel,
    consume: ConsumeOptions,
    raw: ConsumeMessage,
    headers: Record<string, unknown>,
    routingKey: string,
    error: unknown,
    attempt: number,
  ) => {
    const reason = errorMessage(error);
    await confirmed((callback) =>
      on.sendToQueue(
        consume.deadLetterQueue,
        raw.content,
        {
          ...properties({ messageId: raw.properties.messageId as string | undefined }),
          headers: {
            ...headers,
            [ROUTING_KEY_HEADER]: routingKey,
            'x-queue': consume.queue,
            'x-error': reason,
            [ATTEMPT_HEADER]: attempt,
          },
        },
        callback,
      ),
    );
    logger.error('message dead-lettered', {
      queue: consume.queue,
      deadLetterQueue: consume.deadLetterQueue,
      routingKey,
      messageId: raw.properties.messageId,
      attempts: attempt,
      error: reason,
    });
    on.ack(raw);
  };

  const startConsuming = async (on: ConfirmChannel, subscription: Subscription) => {
    const consume = subscription.names;
    await declareExchange(on, consume.exchange);
    await on.assertQueue(
      consume.queue,
      consume.exclusive ? { exclusive: true, autoDelete: true, durable: false } : { durable: true },
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
    const { consumerTag } = await on.consume(consume.queue, (raw) => {
      if (raw) void handle(on, subscription, raw);
    });
    subscription.consumerTag = consumerTag;
  };

  const connection = connect(options.url, {
    clientProperties: { connection_name: options.name },
    recovery: {
      waitForConnect: false,
      initialDelay: 200,
      // A broker that comes back is used within 2 s; attempts on a down one cost next to nothing.
      maxDelay: 2_000,
      async setup(model: ChannelModel) {
        const opened = await model.createConfirmChannel();
        opened.on('error', (error: Error) =>
          logger.warn('message bus channel error', { error: error.message }),
        );
        await opened.prefetch(20);
        declaredExchanges = new Set();
        for (const subscription of subscriptions) {
          if (!subscription.cancelled) await startConsuming(opened, subscription);
        }
        channel = opened;
      },
    },
  });
  connection.then(
    (model) => {
      model.on('connect', () => {
        if (lostSince !== undefined) {
          logger.info('message bus reconnected', { downForMs: Date.now() - lostSince });
        }
        lostSince = undefined;
      });
      model.on('disconnect', (error: Error) => {
        channel = undefined;
        if (closing) return;
        if (lostSince === undefined) {
          lostSince = Date.now();
          logger.warn('message bus disconnected; reconnecting', { error: error?.message });
        }
      });
      model.on('connect-failed', () => {
        lostSince ??= Date.now();
      });
      model.on('error', (error: Error) => {
        logger.debug('message bus error', { error: error.message });
      });
    },
    // Without `waitForConnect` amqplib retries on its own; a rejection here (a malformed URL, say)
    // is logged, and every publish then fails as not connected.
    (error: unknown) =>
      logger.error('message bus cannot connect', {
        error: errorMessage(error),
      }),
  );

  const current = () => {
    if (!channel) throw new BusUnavailableError('not connected');
    return channel;
  };

  return {
    async publish(exchange, routingKey, body, publish) {
      const on = current();
      await declareExchange(on, named(exchange));
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
      if (channel) await startConsuming(channel, subscription);
      return {
        async cancel() {
          subscription.cancelled = true;
          subscriptions.delete(subscription);
          if (channel && subscription.consumerTag) {
            await channel.cancel(subscription.consumerTag).catch(() => undefined);
          }
        },
      };
    },
    async ping() {
      current();
    },
    declared: () => ({
      exchanges: [...everDeclared.exchanges],
      queues: [...everDeclared.queues],
    }),
    async close() {
      closing = true;
      channel = undefined;
      const model = await connection.catch(() => undefined);
      await model?.close().catch(() => undefined);
    },
  };
}
