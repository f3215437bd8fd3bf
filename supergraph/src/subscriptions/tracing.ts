import { ROOT_CONTEXT, SpanKind, trace, type Context, type SpanContext } from '@opentelemetry/api';
import {
  contextFrom,
  failSpan,
  isTracing,
  traceHeaders,
  tracer,
  withServiceName,
} from '@fitnexa/shared/telemetry';

// Tracing of federated subscriptions. A subscription lives for hours: it is not one long span but
// a short one for its start (continuing the client's `traceparent`, sent in its connection_init
// payload) whose context goes upstream, and one trace per delivered event, linked to it.

/** Where a subscription's start was traced: what the upstream is told, what events link to. */
export interface SubscriptionTrace {
  /** The operation's name, from its document (`(anonymous)` without one). */
  name: string;
  context: Context;
  spanContext: SpanContext;
}

/** A span for a subscription's start, under the client's trace context if it sent one. */
export function traceSubscriptionStart(
  operationName: string | undefined,
  clientParams: Record<string, unknown> | undefined,
): SubscriptionTrace | undefined {
  if (!isTracing()) return undefined;
  const name = operationName ?? '(anonymous)';
  const parent = withServiceName(contextFrom(clientParams, ROOT_CONTEXT), 'gateway');
  const span = tracer().startSpan(
    `subscription ${name}`,
    { kind: SpanKind.SERVER, attributes: { 'graphql.operation.type': 'subscription' } },
    parent,
  );
  span.end();
  return { name, context: trace.setSpan(parent, span), spanContext: span.spanContext() };
}

/** The W3C headers for the upstream subscribe (its payload's `extensions`): the subgraph joins. */
export function upstreamTraceHeaders(started: SubscriptionTrace | undefined) {
  return started ? traceHeaders(started.context) : {};
}

/**
 * Resolves one delivered event in a span of its own (a new trace, linked to the subscription's
 * start), so that the entity fetches it makes are its children.
 */
export function traceEvent<T>(
  started: SubscriptionTrace | undefined,
  resolve: () => Promise<T>,
): Promise<T> {
  if (!started) return resolve();
  return tracer().startActiveSpan(
    `subscription event ${started.name}`,
    { kind: SpanKind.CONSUMER, root: true, links: [{ context: started.spanContext }] },
    withServiceName(ROOT_CONTEXT, 'gateway'),
    async (span) => {
      try {
        return await resolve();
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
