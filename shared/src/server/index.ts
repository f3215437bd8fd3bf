export { createApolloServer, type ApolloSetup } from './apollo';
export { checkReadiness, healthRoutes, type ReadinessCheck } from './health';
export * from './keep-alive';
export { principalOf } from './principal';
export { handleProcessFaults, runService, stopOnSignals } from './process';
export { serve, type RunningServer } from './serve';
