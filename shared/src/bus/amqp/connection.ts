import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { BusUnavailableError } from '../contract';
import { errorMessage } from '../../errors';
import type { Logger } from '../../logger/types';

export interface AmqpConnectionOptions {
  url: string;
  /** The connection's name on the broker. */
  name: string;
  logger: Logger;
  /** Runs on every new confirm channel (after every connect) before it is used. */
  setup(channel: ConfirmChannel): Promise<void>;
}

/**
 * A connection to RabbitMQ through amqplib's own recovery: it reconnects with backoff, and after
 * every connect one confirm channel is opened and handed to `setup`. Without a channel (not
 * connected yet, or lost) `current` throws BusUnavailableError at once.
 */
export function connectAmqp(options: AmqpConnectionOptions) {
  const { logger } = options;
  let channel: ConfirmChannel | undefined;
  let closing = false;
  let lostSince: number | undefined;

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
        await options.setup(opened);
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

  return {
    /** The channel, when connected. */
    channel: () => channel,
    /** The channel, or BusUnavailableError when not connected. */
    current(): ConfirmChannel {
      if (!channel) throw new BusUnavailableError('not connected');
      return channel;
    },
    async close() {
      closing = true;
      channel = undefined;
      const model = await connection.catch(() => undefined);
      await model?.close().catch(() => undefined);
    },
  };
}
