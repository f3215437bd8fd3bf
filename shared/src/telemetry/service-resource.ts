import { trace, type Context } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { serviceNameIn } from './tracing';

/**
 * One process may run several servers (`npm start`, the e2e graph): each server marks the context
 * of its work with its name (withServiceName), and this processor exports that work's spans with a
 * resource whose `service.name` is the server's, so a trace backend shows the gateway calling
 * identity even when both live in one process. A span with no name in its context takes its
 * parent's; one with neither takes `fallback()` (the process's name). `override()`, when it
 * returns a name (OTEL_SERVICE_NAME), names every span.
 */
export class ServiceResourceProcessor implements SpanProcessor {
  private readonly serviceOf = new WeakMap<object, string>();
  private readonly resources = new Map<string, Resource>();

  constructor(
    private readonly next: SpanProcessor,
    private readonly resourceFor: (service: string) => Resource,
    private readonly fallback: () => string,
    private readonly override: () => string | undefined = () => undefined,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    const service =
      this.override() ??
      serviceNameIn(parentContext) ??
      this.parentService(parentContext) ??
      this.fallback();
    this.serviceOf.set(span, service);
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const service = this.serviceOf.get(span) ?? this.fallback();
    // The span as exported, with the server's resource in place of the provider's.
    this.next.onEnd(
      Object.create(span, { resource: { value: this.resourceOf(service) } }) as ReadableSpan,
    );
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  private parentService(parentContext: Context): string | undefined {
    const parent = trace.getSpan(parentContext);
    return parent ? this.serviceOf.get(parent) : undefined;
  }

  private resourceOf(service: string): Resource {
    let resource = this.resources.get(service);
    if (!resource) {
      resource = this.resourceFor(service);
      this.resources.set(service, resource);
    }
    return resource;
  }
}
