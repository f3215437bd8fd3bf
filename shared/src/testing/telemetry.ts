import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { loadTelemetryConfig } from '../telemetry/config';
import { startTelemetry } from '../telemetry/sdk';

export type { ReadableSpan };

/** Tracing on for this test file, every span kept in memory as it ends (always sampled). */
export function startTestTracing() {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({ config: loadTelemetryConfig({}), exporter });
  return {
    /** The spans ended so far. */
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    stop: () => telemetry.shutdown(),
  };
}

/** The service a span was exported as (its resource's service.name). */
export function serviceOf(span: ReadableSpan): string {
  return String(span.resource.attributes['service.name']);
}
