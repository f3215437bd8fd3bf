export { runMigrations } from './migrations';
export {
  requireServiceToken,
  startSubgraph,
  type BaseContext,
  type SubgraphOptions,
} from './start-subgraph';
export {
  startService,
  type ServiceServer,
  type ServiceSettings,
  type ServiceSpec,
  type WiredService,
} from './service';
