// Hive Gateway with its router runtime (@graphql-hive/router-runtime): the Rust query planner as a
// native addon, and that runtime's executor; otherwise as hive.ts. Without --jit: with this
// runtime, Hive's --jit answers every root field null, without an error.
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import type { GatewayConfig, StartedGateway } from '../protocol';
import { startHive } from './hive';

export function startHiveRouter(
  supergraphSdl: string,
  config: GatewayConfig,
): Promise<StartedGateway> {
  return startHive(supergraphSdl, config, unifiedGraphHandler);
}
