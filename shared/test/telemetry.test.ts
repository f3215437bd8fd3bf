import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import express from 'express';
import {
  isTracing,
  loadTelemetryConfig,
  startTelemetry,
  traceHeaders,
  traceRequests,
  tracer,
  type Telemetry,
} from '../src/telemetry';
import { capturingLogger } from '../src/testing';

// The OTLP/HTTP exporter against a receiver of the test's own on loopback (no collector runs
// here): what arrives is what a collector, Jaeger or Tempo would be sent.

interface OtlpValue {
  stringValue?: string;
}
interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

/** The spans received, each with its resource's attributes. */
function startReceiver() {
  const received: { resource: Record<string, string | undefined>; span: OtlpSpan }[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const attributes = Object.fromEntries(
          resource.attributes.map(({ key, value }) => [key, value.stringValue]),
        );
        for (const { spans } of scopeSpans) {
          for (const span of spans) received.push({ resource: attributes, span });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return {
    received,
    paths,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An express app whose requests `service` traces, answering with the trace ids it logged. */
async function tracedApp(service: string) {
  const logs = capturingLogger(service);
  const { logger } = logs;
  const app = express();
  app.use(traceRequests(service));
  app.get('/health/ready', (_req, res) => {
    tracer().startSpan('ping').end();
    res.json({ ready: true });
  });
  app.get('/work', (_req, res) => {
    const span = tracer().startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('working'));
    span.end();
    res.json({ ok: true });
  });
  // A call to another service: the trace context it would send, and whether its span records.
  app.get('/hop', (_req, res) => {
    const span = tracer().startSpan('call');
    const headers = context.with(trace.setSpan(context.active(), span), () => {
      logger.info('calling');
      return traceHeaders();
    });
    span.end();
    res.json({
      headers,
      recording: span.isRecording(),
      // A span of its own (ids, sampling), or the empty one of suppressed tracing.
      made: trace.isSpanContextValid(span.spanContext()),
    });
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`,
    logs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let receiver: ReturnType<typeof startReceiver>;
let endpoint: string;
let telemetry: Telemetry | undefined;
beforeEach(async () => {
  receiver = startReceiver();
  endpoint = await receiver.listen();
});
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  await receiver.close();
});

describe('tracing over OTLP/HTTP', () => {
  it('when OTEL_EXPORTER_OTLP_ENDPOINT names a receiver, then spans arrive at /v1/traces with the service.name of the server that did the work and the configured resource attributes', async () => {
    telemetry = startTelemetry({
      config: loadTelemetryConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,service.namespace=fitnexa',
      }),
    });
    const identity = await tracedApp('identity');
    const traceId = 'a'.repeat(32);
    const response = await fetch(identity.url, {
      headers: { traceparent: `00-${traceId}-${'b'.repeat(16)}-01` },
    });
    expect(response.status).toBe(200);
    expect((await fetch(identity.url.replace('/work', '/health/ready'))).status).toBe(200);
    await identity.close();
    // Work outside any server's request is the process's (runService names it after its server).
    telemetry.nameProcess('gym');
    tracer().startSpan('outbox relay batch').end();
    await telemetry.shutdown();
    telemetry = undefined;

    expect(receiver.paths[0]).toBe('POST /v1/traces application/json');
    const spans = receiver.received;
    const request = spans.find(({ span }) => span.name === 'GET /work');
    const work = spans.find(({ span }) => span.name === 'work');
    const batch = spans.find(({ span }) => span.name === 'outbox relay batch');
    expect(request?.resource).toMatchObject({
      'service.name': 'identity',
      'deployment.environment': 'test',
      'service.namespace': 'fitnexa',
      'telemetry.sdk.language': 'nodejs',
    });
    expect(request?.span).toMatchObject({ traceId, parentSpanId: 'b'.repeat(16) });
    expect(work?.resource['service.name']).toBe('identity');
    expect(work?.span.parentSpanId).toBe(request?.span.spanId);
    expect(batch?.resource['service.name']).toBe('gym');
    // Probes are not traced, nor what they call.
    expect(spans.map(({ span }) => span.name)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/health|ping/)]),
    );
    // The log line written inside the span names it.
    expect(identity.logs.entries).toContainEqual(
      expect.objectContaining({
        message: 'working',
        trace_id: traceId,
        span_id: work?.span.spanId,
      }),
    );
  });

  it('when OTEL_SERVICE_NAME is set, then it names every span of the process', async () => {
    telemetry = startTelemetry({
      config: loadTelemetryConfig({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/custom/traces`,
        OTEL_SERVICE_NAME: 'identity-eu',
      }),
    });
    const identity = await tracedApp('identity');
    await fetch(identity.url);
    await identity.close();
    await telemetry.shutdown();
    telemetry = undefined;

    expect(receiver.paths[0]).toMatch(/^POST \/custom\/traces /);
    expect(receiver.received.length).toBeGreaterThan(0);
    for (const { resource } of receiver.received) {
      expect(resource['service.name']).toBe('identity-eu');
    }
  });

  it('when the sampler is parentbased_traceidratio at 0, then new traces are dropped but a sampled caller is still followed', async () => {
    telemetry = startTelemetry({
      config: loadTelemetryConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      }),
    });
    const identity = await tracedApp('identity');
    await fetch(identity.url);
    const sampled = 'c'.repeat(32);
    await fetch(identity.url, { headers: { traceparent: `00-${sampled}-${'d'.repeat(16)}-01` } });
    await identity.close();
    await telemetry.shutdown();
    telemetry = undefined;

    const traces = new Set(receiver.received.map(({ span }) => span.traceId));
    expect([...traces]).toEqual([sampled]);
  });

  it('when the sampler leaves a request out, then nothing below it records, and what it sends on and logs carries its trace as not sampled', async () => {
    telemetry = startTelemetry({
      config: loadTelemetryConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      }),
    });
    const identity = await tracedApp('identity');
    const hop = identity.url.replace('/work', '/hop');
    const notSampled = 'e'.repeat(32);
    const fromCaller = (await (
      await fetch(hop, { headers: { traceparent: `00-${notSampled}-${'f'.repeat(16)}-00` } })
    ).json()) as { headers: Record<string, string>; recording: boolean; made: boolean };
    const fresh = (await (await fetch(hop)).json()) as typeof fromCaller;
    await identity.close();
    await telemetry.shutdown();
    telemetry = undefined;

    expect(fromCaller).toMatchObject({ recording: false, made: false });
    expect(fresh).toMatchObject({ recording: false, made: false });
    expect(fromCaller.headers.traceparent).toMatch(
      new RegExp(`^00-${notSampled}-[0-9a-f]{16}-00$`),
    );
    expect(fresh.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(identity.logs.entries).toContainEqual(
      expect.objectContaining({ message: 'calling', trace_id: notSampled }),
    );
    expect(receiver.received).toEqual([]);
  });

  it('when no endpoint is configured, then nothing is started: spans do not record, logs carry no trace ids', async () => {
    telemetry = startTelemetry({ config: loadTelemetryConfig({}) });
    expect(telemetry.enabled).toBe(false);
    expect(isTracing()).toBe(false);
    expect(tracer().startSpan('anything').isRecording()).toBe(false);
    const identity = await tracedApp('identity');
    await fetch(identity.url);
    await identity.close();

    expect(identity.logs.entries[0]).not.toHaveProperty('trace_id');
    expect(receiver.paths).toEqual([]);
  });

  it('when an OTEL_* variable is malformed, then starting refuses with the variable named', () => {
    expect(() => loadTelemetryConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /OTEL_TRACES_SAMPLER/,
    );
    expect(() => loadTelemetryConfig({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toThrow(
      /OTEL_TRACES_SAMPLER_ARG/,
    );
  });
});
