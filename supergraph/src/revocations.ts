import { randomUUID } from 'node:crypto';
import { refusingRevoked, RevokedUsers, type AccessTokenVerifier } from '@fitnexa/shared/auth';
import type { Consumer, MessageBus } from '@fitnexa/shared/bus';
import { EVENTS_DEAD_LETTER_QUEUE, EVENTS_EXCHANGE, parseEvent } from '@fitnexa/shared/events';
import type { Logger } from '@fitnexa/shared/logger';

/**
 * A deleted user's access tokens stop working at the gateway as soon as `identity.user.deleted`
 * arrives, instead of up to their expiry: every instance hears every deletion on a queue of its
 * own. (One that starts later, or was away from the broker, refuses them only from then on.)
 */
export async function refuseDeletedUsers(options: {
  verify: AccessTokenVerifier;
  bus: MessageBus | undefined;
  logger: Logger;
}): Promise<{ verify: AccessTokenVerifier; close(): Promise<void> }> {
  const { bus, logger } = options;
  if (!bus) return { verify: options.verify, close: async () => {} };
  const revoked = new RevokedUsers();
  const consumer: Consumer = await bus.consume(
    {
      queue: `gateway.${randomUUID()}.deleted-users`,
      exchange: EVENTS_EXCHANGE,
      routingKeys: ['identity.user.deleted'],
      deadLetterQueue: EVENTS_DEAD_LETTER_QUEUE,
      exclusive: true,
    },
    async (message) => {
      const event = parseEvent(message.body);
      if (event.type !== 'identity.user.deleted') return;
      revoked.revoke(event.data.userId);
      logger.info("deleted user's tokens refused from now on", {
        userId: event.data.userId,
        correlationId: event.correlationId,
      });
    },
  );
  return { verify: refusingRevoked(options.verify, revoked), close: () => consumer.cancel() };
}
