import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import {
  BusUnavailableError,
  type ConsumeOptions,
  type MessageHandler,
  type PublishOptions,
} from '../contract';
import { errorMessage } from '../../errors';
import type { Logger } from '../../logger/types';
import { retryDelaysOf, retryQueue } from './topology';

const ATTEMPT_HEADER = 'x-attempt';
const ROUTING_KEY_HEADER = 'x-routing-key';
// A confirm that never comes (a broker gone mid-publish) must not hold the caller forever.
const CONFIRM_TIMEOUT_MS = 5_000;

/** A consumer of the bus. */
export interface Subscription {
  /** The consume options with the namespace applied to exchange and queue names. */
  names: ConsumeOptions;
  handler: MessageHandler<unknown>;
  cancelled: boolean;
  consumerTag?: string;
}

/** Sends with `send` and resolves on the broker's confirm (its callback), bounded in time. */
export const confirmed = (send: (callback: (error: unknown) => void) => boolean): Promise<void> =>
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

export const properties = (publish?: PublishOptions): Options.Publish => ({
  persistent: true,
  contentType: 'application/json',
  messageId: publish?.messageId,
  headers: publish?.headers,
});

/**
 * Deliveries to consumers: each is handed to its handler and settled: acked once handled,
 * rescheduled into a retry delay queue after a failure, or dead-lettered once the retries are
 * spent (or at once when it cannot be parsed).
 */
export function createDelivery(logger: Logger) {
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

  /**
   * Handles one delivery and settles it. Never rejects (nobody awaits it): a delivery it could not
   * settle, because the channel went away meanwhile, stays unacked, and the broker delivers it
   * again once the channel is back.
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

  return {
    /** Consumes the subscription's queue on `on`, every delivery handled and settled. */
    async consume(on: ConfirmChannel, subscription: Subscription) {
      const { consumerTag } = await on.consume(subscription.names.queue, (raw) => {
        if (raw) void handle(on, subscription, raw);
      });
      subscription.consumerTag = consumerTag;
    },
  };
}
