import { ROOT_CONTEXT, SpanKind, type SpanContext } from '@opentelemetry/api';
import { contextFrom, failSpan, isTracing, tracer, withServiceName } from './tracing';

// Long-lived connections (graphql-ws, socket.io) are not one span each: their start is traced
// under the caller's context, and each piece of work later gets a trace of its own, linked to it.

/**
 * A span for a subscription's (or a socket's) start in `service`, continuing the W3C context in
 * `carrier` (a subscribe payload's `extensions`, connection params, handshake headers); its
 * context, for later work to link to. Nothing when tracing is off.
 */
export function traceConnectionStart(
  service: string,
  name: string,
  ...carriers: (Record<string, unknown> | undefined | null)[]
): SpanContext | undefined {
  if (!isTracing()) return undefined;
  const carrier = carriers.find((given) => given && typeof given.traceparent === 'string');
  const parent = withServiceName(contextFrom(carrier ?? undefined, ROOT_CONTEXT), service);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER }, parent);
  span.end();
  return span.spanContext();
}

/** Runs `work` in a new trace's span in `service`, linked to where its connection started. */
export function traceLinkedWork<T>(
  service: string,
  name: string,
  link: SpanContext | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!isTracing()) return work();
  return tracer().startActiveSpan(
    name,
    { kind: SpanKind.SERVER, root: true, links: link ? [{ context: link }] : [] },
    withServiceName(ROOT_CONTEXT, service),
    async (span) => {
      try {
        return await work();
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
