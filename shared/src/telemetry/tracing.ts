import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  trace,
  SpanStatusCode,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';

// Only `@opentelemetry/api` here: what every module may use whether or not the SDK was started.

const SERVICE_NAME = createContextKey('fitnexa service name');

/**
 * What FitNexa's own spans are made with: the registered provider's (a no-op one while tracing is
 * off). Asked for each time, not kept: a tracer kept across a shutdown would still feed the old one.
 */
export function tracer(): Tracer {
  return trace.getTracer('@fitnexa/shared');
}

let tracing = false;

/** Whether startTelemetry turned tracing on in this process: instrumentation that costs checks it. */
export function isTracing(): boolean {
  return tracing;
}

/** For startTelemetry and its shutdown only. */
export function setTracing(on: boolean): void {
  tracing = on;
}

/**
 * Work in `ctx` belongs to `service`: its spans carry that service's resource when one process runs
 * several servers (`npm start`, the e2e graph). See ServiceResourceProcessor.
 */
export function withServiceName(ctx: Context, service: string): Context {
  return ctx.setValue(SERVICE_NAME, service);
}

export function serviceNameIn(ctx: Context): string | undefined {
  const value = ctx.getValue(SERVICE_NAME);
  return typeof value === 'string' ? value : undefined;
}

/** Set (with tracing suppressed) on the work of a request the sampler left out; see traceRequests. */
export const UNSAMPLED_REQUEST = createContextKey('fitnexa unsampled request');

/**
 * The context whose trace crosses a hop (HTTP headers, an outbox row) or marks a log line: `ctx`
 * itself, or inside a request the sampler left out, that request's span context, so the next
 * service sees its not-sampled flag and follows the decision instead of sampling on its own.
 */
export function propagatedContext(ctx: Context = context.active()): Context {
  const unsampled = ctx.getValue(UNSAMPLED_REQUEST) as SpanContext | undefined;
  return unsampled ? trace.setSpanContext(ROOT_CONTEXT, unsampled) : ctx;
}

/** The W3C trace context (`traceparent`, `tracestate`) of `ctx` (the active one by default). */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(propagatedContext(ctx), headers);
  return headers;
}

/** The context a caller's W3C headers (or graphql-ws connection params) carry, on top of `base`. */
export function contextFrom(
  carrier: Record<string, unknown> | undefined,
  base: Context = context.active(),
): Context {
  if (!carrier) return base;
  return propagation.extract(base, carrier, {
    keys: (value) => Object.keys(value),
    get: (value, key) => {
      const found = value[key];
      if (typeof found === 'string') return found;
      return Array.isArray(found) && typeof found[0] === 'string' ? found[0] : undefined;
    },
  });
}

/** Ends `span` with an error status and the exception recorded. */
export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** The ids a log entry carries when it is written inside a traced context (trace_id, span_id). */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const spanContext = trace.getSpan(propagatedContext())?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
