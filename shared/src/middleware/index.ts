export {
  acceptCorrelationId,
  correlationId,
  correlationIdOf,
  currentCorrelationId,
  runWithCorrelationId,
  CORRELATION_HEADER,
} from './correlation';
export { requestTiming } from './timing';
export { errorBody, errorHandler, notFound } from './errors';
export {
  createMetrics,
  graphqlMetricsPlugin,
  metricsRoute,
  processMetrics,
  type Metrics,
} from './metrics';
