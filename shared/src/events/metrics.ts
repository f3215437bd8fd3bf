import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** A delivery handled, dropped as already handled, of a type without a handler, or failed. */
export type EventOutcome = 'handled' | 'duplicate' | 'ignored' | 'failed';

/** What the event consumer counts: each delivery's handling time and outcome, and retries. */
export interface EventConsumerMetrics {
  observe(type: string, outcome: EventOutcome, seconds: number): void;
  /** A delivery after a failed attempt (attempt 2, 3, ...). */
  retried(type: string): void;
}

/** The consumer's metrics in a server's registry (labels: the event type, bounded by the handlers). */
export function createEventConsumerMetrics(registry: Registry): EventConsumerMetrics {
  const registers = [registry];
  const duration = new Histogram({
    name: 'event_processing_duration_seconds',
    help: 'Event deliveries handled by this service, by type and outcome (handled, duplicate, ignored, failed)',
    labelNames: ['type', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const retries = new Counter({
    name: 'event_retries_total',
    help: 'Event deliveries that are retries of a failed attempt, by type',
    labelNames: ['type'] as const,
    registers,
  });
  return {
    observe: (type, outcome, seconds) => duration.observe({ type, outcome }, seconds),
    retried: (type) => retries.inc({ type }),
  };
}

/** The outbox at one instant: unpublished rows, and the age of the oldest (0 when none). */
export interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number;
}

/**
 * Gauges read at every scrape: the outbox backlog (what waits for the broker) and, for a
 * consuming service, the dead-letter queue's depth. A read that fails (the database or the broker
 * is away) shows NaN (a gap in the graphs), neither a stale value nor a reassuring 0.
 */
export function registerEventGauges(
  registry: Registry,
  sources: {
    backlog(): Promise<OutboxBacklog>;
    /** Absent for a service that consumes nothing. */
    deadLetters?: { queue: string; depth(): Promise<number> };
  },
) {
  const registers = [registry];
  new Gauge({
    name: 'outbox_pending_events',
    help: 'Events recorded in this service’s outbox and not yet confirmed by the broker',
    registers,
    async collect() {
      await read(this, async () => (await sources.backlog()).pending);
    },
  });
  new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest event in this service’s outbox not yet confirmed by the broker (0: none)',
    registers,
    async collect() {
      await read(this, async () => (await sources.backlog()).oldestAgeSeconds);
    },
  });
  const { deadLetters } = sources;
  if (deadLetters) {
    new Gauge({
      name: 'events_dead_letter_messages',
      help: 'Messages in the events dead-letter queue (shared by every consumer: read the max)',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        await read(this, () => deadLetters.depth(), { queue: deadLetters.queue });
      },
    });
  }
}

async function read(
  gauge: Gauge<string>,
  value: () => Promise<number>,
  labels: Record<string, string> = {},
) {
  try {
    gauge.set(labels, await value());
  } catch {
    gauge.set(labels, Number.NaN);
  }
}
