import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { REVOCATION_SETTLED_MS } from '../auth/revocations';
import type { MessageBus } from '../bus';
import type { Logger } from '../logger/types';
import { currentCorrelationId, runWithCorrelationId } from '../middleware/correlation';
import type { FitnexaEvent, FitnexaEventMap, FitnexaEventType } from '../types';

import type { SqlTransaction, TransactionalClient } from './contract';
import { EVENTS_DEAD_LETTER_QUEUE, EVENTS_EXCHANGE } from './contract';
import { errorMessage } from '../errors';
import type { EventConsumerMetrics, EventOutcome } from './metrics';
import { currentTraceCarrier, inConsumeSpan } from './tracing';

export * from './contract';
export { startOutboxRelay, type OutboxRelay } from './relay';
export {
  createEventConsumerMetrics,
  registerEventGauges,
  type EventConsumerMetrics,
  type EventOutcome,
  type OutboxBacklog,
} from './metrics';

/** A new event from `source`, tied to the request being handled (if any) by its correlation id. */
export function newEvent<T extends FitnexaEventType>(
  source: string,
  type: T,
  data: FitnexaEventMap[T],
): FitnexaEvent<T> {
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    source,
    correlationId: currentCorrelationId() ?? null,
    data,
  } as FitnexaEvent<T>;
}

/**
 * Records events in the service's outbox table: call it inside the transaction that makes the
 * change, so the event exists exactly when the change does. The relay publishes it afterwards.
 */
export interface EventOutbox {
  record<T extends FitnexaEventType>(
    tx: SqlTransaction,
    type: T,
    data: FitnexaEventMap[T],
  ): Promise<FitnexaEvent<T>>;
}

export function createEventOutbox(source: string, onRecorded: () => void = () => {}): EventOutbox {
  return {
    async record(tx, type, data) {
      const event = newEvent(source, type, data);
      // The request's trace goes with the row: the relay's publish continues it, even hours later.
      const trace = currentTraceCarrier();
      await tx.$executeRaw`
        INSERT INTO "OutboxEvent"
          ("id", "type", "occurredAt", "correlationId", "traceparent", "tracestate", "data")
        VALUES (${event.id}::uuid, ${event.type}, ${new Date(event.occurredAt)},
                ${event.correlationId}, ${trace.traceparent ?? null}, ${trace.tracestate ?? null},
                ${JSON.stringify(event.data)}::jsonb)`;
      // A hint to the relay; the commit may take longer, and then its next poll finds the row.
      setTimeout(onRecorded, 20).unref();
      return event;
    },
  };
}

/**
 * Handles one event inside the transaction that also marks it processed, so its effects happen
 * once however often it is delivered. What it returns runs after the commit (real-time
 * notifications: nothing that must not be lost).
 */
export type EventHandler<T extends FitnexaEventType, Tx> = (
  event: FitnexaEvent<T>,
  tx: Tx,
) => Promise<void | (() => unknown)>;

export type EventHandlers<Tx> = { [T in FitnexaEventType]?: EventHandler<T, Tx> };

/**
 * Events handled no earlier than this long after they occurred. `identity.user.deleted` follows
 * the revocation of the user's tokens (identity revokes, then commits the deletion and its event),
 * but a service may take a token for a moment after it is revoked (REVOCATION_SETTLED_MS): the
 * erasure waits until what such a request wrote is in, and erases it too.
 */
export const HANDLED_NO_EARLIER_THAN_MS: Partial<Record<FitnexaEventType, number>> = {
  'identity.user.deleted': REVOCATION_SETTLED_MS,
};

export class InvalidEventError extends Error {
  constructor(reason: string) {
    super(`not a FitNexa event: ${reason}`);
    this.name = 'InvalidEventError';
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks the envelope (the payload is the publisher's contract, typed by the event map). */
export function parseEvent(body: unknown): FitnexaEvent {
  if (typeof body !== 'object' || body === null) throw new InvalidEventError('not an object');
  const event = body as Record<string, unknown>;
  if (typeof event.id !== 'string' || !uuid.test(event.id)) throw new InvalidEventError('id');
  if (typeof event.type !== 'string') throw new InvalidEventError('type');
  if (typeof event.source !== 'string') throw new InvalidEventError('source');
  if (typeof event.occurredAt !== 'string' || Number.isNaN(Date.parse(event.occurredAt)))
    throw new InvalidEventError('occurredAt');
  if (typeof event.data !== 'object' || event.data === null) throw new InvalidEventError('data');
  return event as unknown as FitnexaEvent;
}

export interface EventConsumerOptions<Tx extends SqlTransaction> {
  bus: MessageBus;
  /** The consuming service: its durable queue is `<service>.events`. */
  service: string;
  prisma: TransactionalClient<Tx>;
  handlers: EventHandlers<Tx>;
  logger: Logger;
  retryDelaysMs?: readonly number[];
  /** Handling times and retries, in the server's registry. */
  metrics?: EventConsumerMetrics;
}

/**
 * Consumes the events the handlers are for from the service's durable queue. Each event is handled
 * once: its id goes into the `ProcessedEvent` table in the handler's own transaction, and a
 * redelivered event finds it there. A handler that throws is retried with backoff by the bus, then
 * dead-lettered to `fitnexa.events.dlq`. Handlers run under the event's correlation id.
 */
export async function consumeEvents<Tx extends SqlTransaction>(options: EventConsumerOptions<Tx>) {
  const { prisma, handlers, logger, metrics } = options;
  const consume = {
    queue: `${options.service}.events`,
    exchange: EVENTS_EXCHANGE,
    routingKeys: Object.keys(handlers),
    deadLetterQueue: EVENTS_DEAD_LETTER_QUEUE,
    retryDelaysMs: options.retryDelaysMs,
  };
  return options.bus.consume(consume, (message) =>
    // Each delivery (a retry too) is a child of the publish, in the trace of the event's cause.
    inConsumeSpan({ ...message, queue: consume.queue, exchange: consume.exchange }, async () => {
      if (message.attempt > 1) metrics?.retried(message.routingKey);
      const started = performance.now();
      let outcome: EventOutcome = 'failed';
      try {
        outcome = await handleEvent(message.body, message.attempt);
      } finally {
        metrics?.observe(message.routingKey, outcome, (performance.now() - started) / 1000);
      }
    }),
  );

  async function handleEvent(
    body: unknown,
    attempt: number,
  ): Promise<Exclude<EventOutcome, 'failed'>> {
    const event = parseEvent(body);
    const handler = handlers[event.type] as EventHandler<FitnexaEventType, Tx> | undefined;
    if (!handler) return 'ignored';
    const hold = HANDLED_NO_EARLIER_THAN_MS[event.type];
    if (hold !== undefined) {
      // Capped: a publisher's clock ahead of this one's must not hold the queue longer.
      const wait = Math.min(hold, Date.parse(event.occurredAt) + hold - Date.now());
      if (wait > 0) await sleep(wait);
    }
    return runWithCorrelationId(event.correlationId ?? event.id, async () => {
      const started = Date.now();
      const outcome = await prisma.$transaction(
        async (tx) => {
          const fresh = await tx.$executeRaw`
            INSERT INTO "ProcessedEvent" ("eventId", "type", "processedAt")
            VALUES (${event.id}::uuid, ${event.type}, now())
            ON CONFLICT DO NOTHING`;
          if (fresh === 0) return { duplicate: true as const };
          return { duplicate: false as const, after: await handler(event, tx) };
        },
        { timeout: 30_000, maxWait: 10_000 },
      );
      if (outcome.duplicate) {
        logger.info('event already handled; dropped', { eventId: event.id, type: event.type });
        return 'duplicate';
      }
      logger.info('event handled', {
        eventId: event.id,
        type: event.type,
        source: event.source,
        attempt,
        ms: Date.now() - started,
      });
      if (outcome.after) {
        try {
          await outcome.after();
        } catch (error) {
          logger.warn('after-commit step of an event failed', {
            eventId: event.id,
            error: errorMessage(error),
          });
        }
      }
      return 'handled';
    });
  }
}
