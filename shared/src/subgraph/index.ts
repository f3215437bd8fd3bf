export { runMigrations } from './migrations';
export type { BaseContext } from './context';
export { requireServiceToken, startSubgraph, type SubgraphOptions } from './start-subgraph';
export {
  startService,
  type ServiceServer,
  type ServiceSettings,
  type ServiceSpec,
  type WiredService,
} from './service';
