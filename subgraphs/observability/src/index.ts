export {
  startObservability,
  typeDefs,
  type ObservabilityOptions,
  type ObservabilityServer,
} from './server';
export { loadObservabilityConfig, type ObservabilityConfig } from './config';
