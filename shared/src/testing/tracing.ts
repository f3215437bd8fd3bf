import type { SpanContext } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { loadTelemetryConfig } from '../telemetry/config';
import { startTelemetry } from '../telemetry/sdk';

export { SpanStatusCode } from '@opentelemetry/api';
export type { ReadableSpan };

export interface RecordedSpans {
  /** Every span ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** Unregisters what tracing registered: the process is untraced again. */
  stop(): Promise<void>;
}

/**
 * Tracing on for this test file (jest gives each file its own globals), set up exactly as a
 * traced server sets it up, with every span kept in memory as it ends (always sampled).
 */
export function recordSpans(): RecordedSpans {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({ config: loadTelemetryConfig({}), exporter });
  return {
    spans: () => exporter.getFinishedSpans(),
    stop: () => telemetry.shutdown(),
  };
}

/** The service a span was exported as (its resource's service.name). */
export function serviceOf(span: ReadableSpan): string {
  return String(span.resource.attributes['service.name']);
}

/** Whether `span` is the direct child of the span with `parent`'s context. */
export const isChildOf = (span: ReadableSpan, parent: SpanContext): boolean =>
  span.parentSpanContext?.spanId === parent.spanId && span.spanContext().traceId === parent.traceId;

/**
 * Whether `span` sits under `ancestor` in the same trace, through any spans in between (a Prisma
 * or resolver span, say): its parent chain among `spans` reaches the ancestor's span.
 */
export function isDescendantOf(
  span: ReadableSpan,
  ancestor: SpanContext,
  spans: readonly ReadableSpan[],
): boolean {
  if (span.spanContext().traceId !== ancestor.traceId) return false;
  const byId = new Map(spans.map((each) => [each.spanContext().spanId, each]));
  for (let parent = span.parentSpanContext?.spanId; parent;) {
    if (parent === ancestor.spanId) return true;
    parent = byId.get(parent)?.parentSpanContext?.spanId;
  }
  return false;
}
