// Benchmark child: the five subgraphs with the demo data in one process, as `npm start` runs them
// (its gateway starts too but gets no traffic). On DATABASE_URL and REDIS_URL when set, in the
// schemas the parent names (and drops afterwards); embedded otherwise.
import { createMemoryBus } from '@fitnexa/shared/bus';
import { createLogger } from '@fitnexa/shared/logger';
import { SUBGRAPH_NAMES, startLocalGraph, type SubgraphName } from '../lib/graph';
import { runChild } from './child';
import { childConfig, type SubgraphsReady } from './protocol';

export interface SubgraphsConfig {
  schemas?: Record<SubgraphName, string>;
  /** The SERVICE_TOKEN_SECRET the subgraphs accept the gateways' credentials with. */
  serviceTokenSecret: string;
}

runChild<SubgraphsReady>('subgraphs', async () => {
  const { schemas, serviceTokenSecret } = childConfig<SubgraphsConfig>();
  const graph = await startLocalGraph({
    env: {
      DATA_DIR: 'memory://',
      ...process.env,
      SEED_DEMO_DATA: 'true',
      LOG_LEVEL: 'error',
      SERVICE_TOKEN_SECRET: serviceTokenSecret,
    },
    ports: {
      gateway: 0,
      identity: 0,
      gym: 0,
      workout: 0,
      squad: 0,
      messaging: 0,
      observability: 0,
    },
    schemas,
    logger: (service) => createLogger({ service, level: 'error' }),
    bus: createMemoryBus(),
  });
  return {
    ready: {
      subgraphs: Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [name, graph.subgraphs[name].url]),
      ),
      jwksUrl: graph.identity.jwksUrl,
    },
    stop: () => graph.stop(),
  };
});
