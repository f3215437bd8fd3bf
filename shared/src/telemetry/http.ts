import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { RequestHandler } from 'express';
import { contextFrom, isTracing, tracer, UNSAMPLED_REQUEST, withServiceName } from './tracing';

const UNTRACED_PATHS = /^\/(?:health\/|metrics$)/;

/**
 * A SERVER span for every HTTP request `service` handles, continuing the caller's W3C trace
 * context (`traceparent` from a client, the gateway or a peer), with everything the request does
 * under it. Renamed to the GraphQL operation once known (tracingPlugin). Health probes and metric
 * scrapes, and what they call (database, Redis), are not traced. Nothing when tracing is off.
 */
export function traceRequests(service: string): RequestHandler {
  return (req, res, next) => {
    if (!isTracing()) return next();
    // Probes and scrapes come every few seconds and explain no request's latency.
    if (UNTRACED_PATHS.test(req.path)) return context.with(suppressTracing(context.active()), next);
    const parent = withServiceName(contextFrom(req.headers, context.active()), service);
    const span = tracer().startSpan(
      `${req.method} ${req.path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.path,
          'server.port': req.socket.localPort ?? 0,
        },
      },
      parent,
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const active = trace.setSpan(parent, span);
    // Left out by the sampler (most requests at a ratio): nothing below it makes spans, which
    // saves every span object and most context switches; the request's own span context still
    // crosses each hop, not sampled, so the next service does not sample on its own.
    context.with(
      span.isRecording()
        ? active
        : suppressTracing(active).setValue(UNSAMPLED_REQUEST, span.spanContext()),
      next,
    );
  };
}
