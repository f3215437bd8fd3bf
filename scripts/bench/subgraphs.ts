// Benchmark child: the five subgraphs with the demo data in one process, as `npm start` runs them
// (its gateway starts too but gets no traffic). On DATABASE_URL and REDIS_URL when set, in the
// schemas the parent names (and drops afterwards); embedded otherwise. It counts the GraphQL
// requests each subgraph receives and tells the counts at a URL of its own (countsUrl), so that the
// parent can report subgraph fetches per gateway request.
import { subscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryBus } from '@fitnexa/shared/bus';
import { createLogger } from '@fitnexa/shared/logger';
import { SUBGRAPH_NAMES, startLocalGraph, type SubgraphName } from '../lib/graph';
import { runChild } from './child';
import { childConfig, type SubgraphRequestCounts, type SubgraphsReady } from './protocol';

export interface SubgraphsConfig {
  schemas?: Record<SubgraphName, string>;
  /** The SERVICE_TOKEN_SECRET the subgraphs accept the gateways' credentials with. */
  serviceTokenSecret: string;
}

/**
 * Counts the POSTs (GraphQL requests; health checks are GETs) each subgraph's server receives, by
 * the port it listens on, from Node's own `http.server.request.start` diagnostics channel: nothing
 * in the subgraphs changes for it.
 */
function countSubgraphRequests(portsToNames: () => Map<number, string>) {
  const counts: SubgraphRequestCounts = {};
  subscribe('http.server.request.start', (message) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    if (request.method !== 'POST') return;
    const name = portsToNames().get((server.address() as AddressInfo | null)?.port ?? -1);
    if (name) counts[name] = (counts[name] ?? 0) + 1;
  });
  return counts;
}

runChild<SubgraphsReady>('subgraphs', async () => {
  const { schemas, serviceTokenSecret } = childConfig<SubgraphsConfig>();
  let names = new Map<number, string>();
  const counts = countSubgraphRequests(() => names);
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
  const subgraphs = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, graph.subgraphs[name].url]),
  );
  names = new Map(
    Object.entries(subgraphs).map(([name, url]) => [Number(new URL(url).port), name]),
  );
  const countsServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
  });
  await new Promise<void>((resolve) => countsServer.listen(0, '127.0.0.1', resolve));
  return {
    ready: {
      subgraphs,
      jwksUrl: graph.identity.jwksUrl,
      countsUrl: `http://127.0.0.1:${(countsServer.address() as AddressInfo).port}/`,
    },
    stop: async () => {
      countsServer.close();
      await graph.stop();
    },
  };
});
