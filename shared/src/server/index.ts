export { createApolloServer, type ApolloSetup } from './apollo';
export { checkReadiness, healthRoutes, type HealthRoutes, type ReadinessCheck } from './health';
export { metricsEndpoint, type MetricsEndpoint } from './metrics-endpoint';
export * from './keep-alive';
export { principalOf } from './principal';
export { handleProcessFaults, runService, stopOnSignals } from './process';
export { serve, type RunningServer } from './serve';
