import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { errorMessage } from '../errors';
import { propagatedContext } from '../telemetry/tracing';

// Only the OpenTelemetry API: without a registered SDK (tracing off) every call here is a no-op.

/** The W3C trace context as it travels with an event: outbox columns, then AMQP headers. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

export const eventsTracer = () => trace.getTracer('@fitnexa/shared/events');

/** The active trace context (the request that records an event), empty when nothing is traced. */
export function currentTraceCarrier(active: Context = context.active()): TraceCarrier {
  const carrier: Record<string, string> = {};
  propagation.inject(propagatedContext(active), carrier);
  return { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

/** The context a carrier names (AMQP header values arrive as strings or buffers). */
export function contextOf(carrier: Record<string, unknown>): Context {
  const text: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate']) {
    const value = carrier[key];
    if (value !== undefined && value !== null) text[key] = String(value);
  }
  return propagation.extract(ROOT_CONTEXT, text);
}

const MESSAGING = { 'messaging.system': 'rabbitmq' } as const;

/**
 * A relay batch: the claimed rows and their publishing. Its own trace (a poll started it), linked
 * from each message's publish span.
 */
export function inBatchSpan<T>(source: string, run: (span: Span) => Promise<T>): Promise<T> {
  return eventsTracer().startActiveSpan(
    'outbox relay batch',
    { kind: SpanKind.INTERNAL, root: true, attributes: { 'fitnexa.outbox.source': source } },
    (span) => traced(span, () => run(span)),
  );
}

/**
 * One event's publish, a child of the request that recorded it (the context stored in its outbox
 * row, however long it waited there) and linked to the relay batch that sent it. `run` gets the
 * headers that carry this span's context to the consumers.
 */
export function inPublishSpan<T>(
  event: { id: string; type: string; exchange: string },
  stored: TraceCarrier,
  batch: Span,
  run: (headers: TraceCarrier) => Promise<T>,
): Promise<T> {
  const links: Link[] = [{ context: batch.spanContext() }];
  return eventsTracer().startActiveSpan(
    `publish ${event.type}`,
    {
      kind: SpanKind.PRODUCER,
      links,
      attributes: {
        ...MESSAGING,
        'messaging.operation.type': 'send',
        'messaging.destination.name': event.exchange,
        'messaging.rabbitmq.destination.routing_key': event.type,
        'messaging.message.id': event.id,
      },
    },
    contextOf({ ...stored }),
    (span) => traced(span, () => run(currentTraceCarrier())),
  );
}

/**
 * One delivery's handling, a child of the publish span whose context the message carries: the
 * consumer's work sits in the trace of the request that caused the event. Each retry is another
 * such span with its attempt number.
 */
export function inConsumeSpan<T>(
  delivery: {
    queue: string;
    exchange: string;
    routingKey: string;
    messageId?: string;
    attempt: number;
    headers: Record<string, unknown>;
  },
  run: () => Promise<T>,
): Promise<T> {
  return eventsTracer().startActiveSpan(
    `process ${delivery.routingKey}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...MESSAGING,
        'messaging.operation.type': 'process',
        'messaging.destination.name': delivery.exchange,
        'messaging.consumer.group.name': delivery.queue,
        'messaging.rabbitmq.destination.routing_key': delivery.routingKey,
        ...(delivery.messageId ? { 'messaging.message.id': delivery.messageId } : {}),
        'fitnexa.delivery.attempt': delivery.attempt,
      },
    },
    contextOf(delivery.headers),
    (span) => traced(span, run),
  );
}

/** Runs `run` in `span`, recording a failure on it, and ends it. */
async function traced<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    span.recordException(error instanceof Error ? error : new Error(errorMessage(error)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    throw error;
  } finally {
    span.end();
  }
}
