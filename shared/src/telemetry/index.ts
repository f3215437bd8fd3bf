export { loadTelemetryConfig, SAMPLERS, type TelemetryConfig } from './config';
export { traceResolvers, tracingPlugin } from './graphql';
export { traceRequests } from './http';
export { traceConnectionStart, traceLinkedWork } from './realtime';
export {
  PROCESS_SERVICE_NAME,
  processTelemetry,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from './sdk';
export {
  activeTraceIds,
  contextFrom,
  failSpan,
  isTracing,
  serviceNameIn,
  traceHeaders,
  tracer,
  withServiceName,
} from './tracing';
