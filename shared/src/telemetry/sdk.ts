import { context, propagation, trace } from '@opentelemetry/api';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config';
import { setTracing } from './tracing';

/** The name of spans done outside any server's work when nothing else names them (`npm start`). */
export const PROCESS_SERVICE_NAME = 'fitnexa';

export interface TelemetryOptions {
  config: TelemetryConfig;
  /** Tests: spans go here, one by one as they end, instead of to the OTLP endpoint. */
  exporter?: SpanExporter;
}

export interface Telemetry {
  enabled: boolean;
  /** Names the process's spans done outside any server's work (runService: the server's name). */
  nameProcess(service: string): void;
  /** Exports what has ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and unregisters everything: the process is untraced again. */
  shutdown(): Promise<void>;
}

const OFF: Telemetry = {
  enabled: false,
  nameProcess: () => undefined,
  flush: async () => undefined,
  shutdown: async () => undefined,
};

let running: Telemetry = OFF;

/** The telemetry this process started (or one that is off). */
export function processTelemetry(): Telemetry {
  return running;
}

/**
 * The SDK, its OTLP exporter and the instrumentations: about 4 MB of JavaScript (several hundred
 * modules) that a process without tracing (`npm start`, the tests) never needs, so they load when
 * tracing starts. Synchronously, so that `./register` still starts tracing before ioredis is first
 * required.
 */
function loadSdk() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { AsyncLocalStorageContextManager } =
    require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } =
    require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { defaultResource, resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const traceSdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { PrismaInstrumentation } =
    require('@prisma/instrumentation') as typeof import('@prisma/instrumentation');
  const { ServiceResourceProcessor } =
    require('./service-resource') as typeof import('./service-resource');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    AsyncLocalStorageContextManager,
    CompositePropagator,
    W3CBaggagePropagator,
    W3CTraceContextPropagator,
    OTLPTraceExporter,
    registerInstrumentations,
    IORedisInstrumentation,
    defaultResource,
    resourceFromAttributes,
    AlwaysOffSampler: traceSdk.AlwaysOffSampler,
    AlwaysOnSampler: traceSdk.AlwaysOnSampler,
    BatchSpanProcessor: traceSdk.BatchSpanProcessor,
    ParentBasedSampler: traceSdk.ParentBasedSampler,
    SimpleSpanProcessor: traceSdk.SimpleSpanProcessor,
    TraceIdRatioBasedSampler: traceSdk.TraceIdRatioBasedSampler,
    TracerProvider: traceSdk.TracerProvider,
    PrismaInstrumentation,
    ServiceResourceProcessor,
  };
}

function samplerOf(
  { sampler, samplerRatio }: TelemetryConfig,
  {
    AlwaysOffSampler,
    AlwaysOnSampler,
    ParentBasedSampler,
    TraceIdRatioBasedSampler,
  }: ReturnType<typeof loadSdk>,
): Sampler {
  const ratio = new TraceIdRatioBasedSampler(samplerRatio);
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * Starts OpenTelemetry tracing for this process when the config names an OTLP endpoint (or a test
 * gives an exporter); otherwise does nothing and returns a handle that is off. Registers the global
 * tracer provider, the W3C trace-context (and baggage) propagator, an AsyncLocalStorage context
 * manager, and the Prisma and ioredis instrumentations: it must run before ioredis is first
 * required for Redis calls to be traced (see `./register`).
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const { config } = options;
  if (!options.exporter && !config.tracesUrl) return OFF;
  if (running.enabled) throw new Error('tracing was already started in this process');
  const sdk = loadSdk();
  const {
    AsyncLocalStorageContextManager,
    BatchSpanProcessor,
    CompositePropagator,
    IORedisInstrumentation,
    OTLPTraceExporter,
    PrismaInstrumentation,
    registerInstrumentations,
    ServiceResourceProcessor,
    SimpleSpanProcessor,
    TracerProvider,
    W3CBaggagePropagator,
    W3CTraceContextPropagator,
    defaultResource,
    resourceFromAttributes,
  } = sdk;
  const named = config.serviceName;
  let processName = named ?? PROCESS_SERVICE_NAME;
  const resourceFor = (service: string) =>
    defaultResource().merge(
      resourceFromAttributes({ ...config.resourceAttributes, 'service.name': service }),
    );
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: config.tracesUrl });
  const exporting = options.exporter
    ? new SimpleSpanProcessor({ exporter })
    : new BatchSpanProcessor({ exporter });
  // OTEL_SERVICE_NAME names every span of the process; without it each server names its own.
  const processor = new ServiceResourceProcessor(
    exporting,
    resourceFor,
    () => processName,
    () => named,
  );
  const provider = new TracerProvider({
    resource: resourceFor(processName),
    sampler: samplerOf(config, sdk),
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new IORedisInstrumentation(), new PrismaInstrumentation()],
  });
  setTracing(true);
  running = {
    enabled: true,
    nameProcess(service) {
      processName = service;
    },
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
      setTracing(false);
      running = OFF;
    },
  };
  return running;
}
