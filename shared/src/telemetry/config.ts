import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { z } from 'zod';
import { loadConfig } from '../config';

type Env = Record<string, string | undefined>;

/** The samplers of the OpenTelemetry specification's OTEL_TRACES_SAMPLER (the jaeger/xray ones aside). */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The standard OTEL_* variables this project reads. Tracing is on only when an OTLP endpoint is
 * set (and OTEL_SDK_DISABLED is not true): without one nothing is started, so `npm start` and the
 * tests pay nothing. Headers, timeouts and compression are read by the OTLP exporter itself.
 */
const schema = z.object({
  OTEL_SDK_DISABLED: z.stringbool().default(false),
  /** Names the process's spans; default: the server's own name (gateway, identity, ...). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** `key=value,key=value` added to every span's resource (deployment.environment=prod, ...). */
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  /** The collector's base URL; traces go to `<endpoint>/v1/traces` (OTLP over HTTP, protobuf). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** The full traces URL, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on'),
  /** The ratio of the *traceidratio samplers, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

export interface TelemetryConfig {
  /** Where spans go, or undefined: tracing off. */
  tracesUrl?: string;
  serviceName?: string;
  resourceAttributes: Record<string, string>;
  sampler: (typeof SAMPLERS)[number];
  samplerRatio: number;
}

/** The tracing settings of the environment (the process's by default), validated once at start. */
export function loadTelemetryConfig(env: Env = process.env): TelemetryConfig {
  const parsed = loadConfig('telemetry', schema, env);
  const base = parsed.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const tracesUrl =
    parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
  return {
    tracesUrl: parsed.OTEL_SDK_DISABLED ? undefined : tracesUrl,
    serviceName: parsed.OTEL_SERVICE_NAME,
    resourceAttributes: parseKeyPairsIntoRecord(parsed.OTEL_RESOURCE_ATTRIBUTES),
    sampler: parsed.OTEL_TRACES_SAMPLER,
    samplerRatio: parsed.OTEL_TRACES_SAMPLER_ARG,
  };
}
