import type { DeliveredMessage } from '@fitnexa/shared/bus';
import type { LogInput, LogStore } from '../data/log-store';
import { LOG_LEVELS, type LogLevel } from './logs';

const isLevel = (value: unknown): value is LogLevel =>
  typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);

/**
 * An entry from the `logs` exchange as it is stored: its service and level from the entry, else
 * from the routing key (`<service>.<level>`); a message that is not an object is refused.
 */
export function toLogInput(message: DeliveredMessage<unknown>): LogInput {
  const { body, routingKey } = message;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error('a log entry must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const [keyService, keyLevel] = routingKey.split('.');
  const level = isLevel(fields.level) ? fields.level : isLevel(keyLevel) ? keyLevel : 'info';
  const service =
    typeof fields.service === 'string' && fields.service ? fields.service : (keyService ?? '');
  return {
    ...fields,
    level,
    service: service || 'unknown',
    message: typeof fields.message === 'string' ? fields.message : JSON.stringify(fields.message),
  };
}

/**
 * Writes one consumed entry. While MongoDB is unreachable it waits and tries again (the entry stays
 * unacknowledged, the rest in the queue) rather than failing it: failures would be logged, and
 * those logs would come back here. Other errors fail the message (retried, then dead-lettered).
 */
export function createIngest(store: LogStore, retryable: (error: unknown) => boolean) {
  let stopped = false;
  return {
    async handle(message: DeliveredMessage<unknown>): Promise<void> {
      const entry = toLogInput(message);
      for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 5_000)) {
        try {
          await store.write(entry);
          return;
        } catch (error) {
          if (stopped || !retryable(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
        }
      }
    },
    stop() {
      stopped = true;
    },
  };
}
