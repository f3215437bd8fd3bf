import { context, propagation, trace, type SpanContext } from '@opentelemetry/api';
export { SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';

export type { ReadableSpan };

export interface RecordedSpans {
  /** Every span ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** Unregisters the provider, the context manager and the propagator. */
  stop(): Promise<void>;
}

/**
 * Tracing on for this test file (jest gives each file its own globals): a global tracer provider
 * that keeps every ended span in memory, AsyncLocalStorage context, and W3C trace context
 * propagation, as a traced server has them.
 */
export function recordSpans(): RecordedSpans {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Whether `span` is the direct child of the span with `parent`'s context. */
export const isChildOf = (span: ReadableSpan, parent: SpanContext): boolean =>
  span.parentSpanContext?.spanId === parent.spanId && span.spanContext().traceId === parent.traceId;
