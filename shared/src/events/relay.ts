import type { MessageBus } from '../bus';
import type { Logger } from '../logger/types';
import type { FitnexaEvent } from '../types';
import { EVENTS_EXCHANGE, type SqlTransaction, type TransactionalClient } from './contract';
import { errorMessage } from '../errors';
import { inBatchSpan, inPublishSpan, type TraceCarrier } from './tracing';

export interface OutboxRelay {
  /** Something was recorded: look now rather than at the next poll. */
  wake(): void;
  /** Publishes everything pending now; resolves with how many were published. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  type: string;
  occurredAt: Date;
  correlationId: string | null;
  traceparent: string | null;
  tracestate: string | null;
  data: unknown;
}

const BATCH = 100;

/** Headers for the trace context: only what is set (AMQP would send an absent one as void). */
const definedHeaders = (trace: TraceCarrier): Record<string, string> =>
  Object.fromEntries(
    Object.entries(trace).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
// Published rows are kept a week for inspection, then pruned.
const KEEP_PUBLISHED_DAYS = 7;

/**
 * Publishes the service's outbox in order, with publisher confirms: a row is marked published only
 * once the broker confirmed it, so a crash or an outage at any point loses nothing (at worst an
 * event goes out twice, which consumers drop). Rows are claimed with `FOR UPDATE SKIP LOCKED`, so
 * several instances share the work. Polls, and wakes early when told something was recorded.
 */
export function startOutboxRelay<Tx extends SqlTransaction>(options: {
  prisma: TransactionalClient<Tx>;
  /**
   * Whether anything waits, asked on every poll outside Prisma: idle polls are one cheap indexed
   * read and stay out of the service's SQL log.
   */
  hasPending(): Promise<boolean>;
  bus: MessageBus;
  source: string;
  logger: Logger;
  pollMs?: number;
}): OutboxRelay {
  const { prisma, bus, source, logger } = options;
  const pollMs = options.pollMs ?? 250;
  let stopped = false;
  let running: Promise<number> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let lastPrune = 0;

  const publishBatch = () =>
    inBatchSpan(source, (batch) =>
      prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT "id", "type", "occurredAt", "correlationId", "traceparent", "tracestate", "data"
          FROM "OutboxEvent"
          WHERE "publishedAt" IS NULL
          ORDER BY "occurredAt", "id"
          LIMIT ${BATCH}
          FOR UPDATE SKIP LOCKED`;
          batch.setAttribute('messaging.batch.message_count', rows.length);
          // Broker away: fail before any row, so an outage adds no failed publish to each event's trace.
          if (rows.length) await bus.ping();
          const published: string[] = [];
          try {
            for (const row of rows) {
              const event = {
                id: row.id,
                type: row.type,
                occurredAt: new Date(row.occurredAt).toISOString(),
                source,
                correlationId: row.correlationId,
                data: row.data,
              } as FitnexaEvent;
              const stored = {
                traceparent: row.traceparent ?? undefined,
                tracestate: row.tracestate ?? undefined,
              };
              await inPublishSpan(
                { id: event.id, type: event.type, exchange: EVENTS_EXCHANGE },
                stored,
                batch,
                (trace) =>
                  bus.publish(EVENTS_EXCHANGE, event.type, event, {
                    messageId: event.id,
                    headers: {
                      ...(event.correlationId ? { 'x-correlation-id': event.correlationId } : {}),
                      ...definedHeaders(trace),
                    },
                  }),
              );
              published.push(row.id);
            }
          } finally {
            if (published.length) {
              await tx.$executeRaw`
              UPDATE "OutboxEvent" SET "publishedAt" = now()
              WHERE "id" = ANY(${published}::uuid[])`;
            }
          }
          batch.setAttribute('fitnexa.outbox.published', published.length);
          return { found: rows.length, published: published.length };
        },
        { timeout: 60_000, maxWait: 10_000 },
      ),
    );

  const prune = async () => {
    if (Date.now() - lastPrune < 3_600_000) return;
    lastPrune = Date.now();
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        DELETE FROM "OutboxEvent"
        WHERE "publishedAt" < now() - make_interval(days => ${KEEP_PUBLISHED_DAYS})`;
    });
  };

  const drainOnce = async (): Promise<number> => {
    let total = 0;
    try {
      if (!(await options.hasPending())) return 0;
      for (;;) {
        const { found, published } = await publishBatch();
        total += published;
        if (published < found || found < BATCH) break;
      }
      if (failing) logger.info('outbox relay publishing again', { source });
      failing = false;
      await prune();
    } catch (error) {
      // The broker (or the database) is away: the rows stay, the next poll tries again.
      if (!failing) {
        logger.warn('outbox relay cannot publish; events wait in the outbox', {
          source,
          error: errorMessage(error),
        });
      }
      failing = true;
    }
    return total;
  };

  const drain = async (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drainOnce();
      } while (again && !stopped);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void drain().finally(schedule);
    }, pollMs);
  };
  schedule();

  return {
    wake() {
      if (!stopped) void drain();
    },
    drain,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
