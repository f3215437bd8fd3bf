// The whole supergraph in one process: what `npm start` runs (embedded stand-ins by default) and
// what the e2e tests start (on the real PostgreSQL and Redis, in schemas of their own).
import { readFileSync } from 'node:fs';
import { loadGymConfig, startGym } from '@fitnexa/gym';
import { loadIdentityConfig, startIdentity, type IdentityServer } from '@fitnexa/identity';
import {
  createRevocationStore,
  DEFAULT_REVOCATIONS_PREFIX,
  type RevocationStore,
} from '@fitnexa/shared/auth/revocations';
import type { MessageBus } from '@fitnexa/shared/bus';
import type { Logger } from '@fitnexa/shared/logger';
import type { RunningServer } from '@fitnexa/shared/server';
import { loadGatewayConfig, startGateway } from '@fitnexa/supergraph';
import { loadMessagingConfig, startMessaging } from '@fitnexa/messaging';
import { loadObservabilityConfig, startObservability } from '@fitnexa/observability';
import { loadSquadConfig, startSquad } from '@fitnexa/squad';
import { loadWorkoutConfig, startWorkout } from '@fitnexa/workout';

type Env = Record<string, string | undefined>;

export const SUBGRAPH_NAMES = [
  'identity',
  'gym',
  'workout',
  'squad',
  'messaging',
  'observability',
] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** The port each subgraph has in rover.yaml, which `npm start` keeps so the routing URLs hold. */
export const DEFAULT_PORTS: Record<SubgraphName | 'gateway', number> = {
  gateway: 3000,
  identity: 4001,
  gym: 4002,
  workout: 4003,
  squad: 4004,
  messaging: 4005,
  observability: 4006,
};

interface Placement {
  port: number;
  /** Another database schema (and role) than the service's own: tests run side by side. */
  schema?: string;
  logger: Logger;
  bus: MessageBus;
  revocations: RevocationStore;
  /**
   * Every server of one process would want the one METRICS_PORT: here each keeps `/metrics` on
   * its own port, as in development (docs/operations.md).
   */
  METRICS_PORT: undefined;
}

// Each subgraph reads its settings from the same environment, as its own process would.
const starters = {
  identity: (env: Env, placement: Placement) =>
    startIdentity({ ...loadIdentityConfig(env), ...placement, PORT: placement.port }),
  gym: (env: Env, placement: Placement) =>
    startGym({ ...loadGymConfig(env), ...placement, PORT: placement.port }),
  workout: (env: Env, placement: Placement) =>
    startWorkout({ ...loadWorkoutConfig(env), ...placement, PORT: placement.port }),
  squad: (env: Env, placement: Placement) =>
    startSquad({ ...loadSquadConfig(env), ...placement, PORT: placement.port }),
  messaging: (env: Env, placement: Placement) =>
    startMessaging({ ...loadMessagingConfig(env), ...placement, PORT: placement.port }),
  // Consumes every service's `logs` from the shared bus into MongoDB (or its in-process stand-in).
  observability: (env: Env, placement: Placement) =>
    startObservability({ ...loadObservabilityConfig(env), ...placement, PORT: placement.port }),
} satisfies Record<SubgraphName, (env: Env, placement: Placement) => Promise<RunningServer>>;

export interface LocalGraphOptions {
  env: Env;
  /** Port per server; 0 picks a free one. Default: DEFAULT_PORTS. */
  ports?: Partial<Record<SubgraphName | 'gateway', number>>;
  schemas?: Partial<Record<SubgraphName, string>>;
  logger(service: SubgraphName | 'gateway'): Logger;
  /** The events' (and logs') bus every service shares: RabbitMQ, or one in this process. */
  bus: MessageBus;
}

export interface LocalGraph {
  gateway: RunningServer;
  identity: IdentityServer;
  /** Each subgraph's running server, as its start function describes it. */
  subgraphs: { [Name in SubgraphName]: Awaited<ReturnType<(typeof starters)[Name]>> };
  /** Stops one subgraph (the rest keep running), as an outage would. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again on the same port and schema. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  /** Stops the gateway and starts a new one on the same port (`gateway` is then the new one). */
  restartGateway(): Promise<void>;
  /** The users' "tokens valid from" instants every service of the graph reads (Redis or in-process). */
  revocations: RevocationStore;
  stop(): Promise<void>;
}

/**
 * Starts identity, then the other subgraphs (verifying tokens with its keys; messaging after squad,
 * whose memberships it asks about), then the gateway.
 */
/**
 * Promise.all for starts that run side by side, but settling all of them first: when one fails, the
 * others have finished starting (and are in `started`), so stopping the graph stops them too.
 */
async function allStarted<T extends readonly unknown[]>(
  starts: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(starts);
  const failed = results.find(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function startLocalGraph(options: LocalGraphOptions): Promise<LocalGraph> {
  const gatewayConfig = loadGatewayConfig(options.env);
  const ports = { ...DEFAULT_PORTS, gateway: gatewayConfig.PORT, ...options.ports };
  // One store for every service, as the bus: in-process without REDIS_URL; on Redis, under a
  // prefix of the graph's own when its schemas are (tests side by side), as the gateway's cache.
  const revocations = await createRevocationStore({
    url: gatewayConfig.REDIS_URL,
    prefix: options.schemas?.identity
      ? `revocations_${options.schemas.identity}`
      : DEFAULT_REVOCATIONS_PREFIX,
    logger: options.logger('gateway'),
  });
  const placement = (name: SubgraphName, port = ports[name]): Placement => ({
    port,
    schema: options.schemas?.[name],
    logger: options.logger(name),
    bus: options.bus,
    revocations,
    METRICS_PORT: undefined,
  });
  const started: Partial<Record<SubgraphName, RunningServer>> = {};
  const stopAll = async () => {
    await Promise.all(Object.values(started).map((server) => server.stop()));
    await revocations.close();
  };
  try {
    const identity = await starters.identity(options.env, placement('identity'));
    started.identity = identity;
    const env: Env = { ...options.env, JWKS_URL: identity.jwksUrl };
    const [gym, workout, squad, observability] = await allStarted([
      starters.gym(env, placement('gym')).then((server) => (started.gym = server)),
      starters.workout(env, placement('workout')).then((server) => (started.workout = server)),
      starters.squad(env, placement('squad')).then((server) => (started.squad = server)),
      starters
        .observability(env, placement('observability'))
        .then((server) => (started.observability = server)),
    ]);
    // Each subgraph reads what it needs of the one environment; messaging also where squad is.
    env.SQUAD_URL = squad.url;
    const messaging = await starters.messaging(env, placement('messaging'));
    started.messaging = messaging;
    const subgraphs: LocalGraph['subgraphs'] = {
      identity,
      gym,
      workout,
      squad,
      messaging,
      observability,
    };
    const startGatewayOn = (port: number) =>
      startGateway({
        supergraphSdl: readFileSync(gatewayConfig.SUPERGRAPH_PATH, 'utf8'),
        subgraphUrls: Object.fromEntries(
          Object.entries(subgraphs).map(([name, server]) => [name, server.url]),
        ),
        jwksUrl: identity.jwksUrl,
        // The same environment's SERVICE_TOKEN_SECRET as every subgraph read (or the same default).
        serviceTokenSecret: gatewayConfig.SERVICE_TOKEN_SECRET,
        port,
        host: gatewayConfig.HOST,
        logger: options.logger('gateway'),
        production: gatewayConfig.NODE_ENV === 'production',
        explorer: gatewayConfig.explorer,
        statusPage: gatewayConfig.statusPage,
        redisUrl: gatewayConfig.REDIS_URL,
        cachePrefix: options.schemas?.identity && `gateway_${options.schemas.identity}`,
        rateLimits: gatewayConfig.rateLimits,
        criticalSubgraphGraceMs: gatewayConfig.CRITICAL_SUBGRAPH_GRACE_SECONDS * 1000,
        trustProxy: gatewayConfig.TRUST_PROXY,
        corsOrigins: gatewayConfig.corsOrigins,
        revocations,
        ...gatewayConfig.bounds,
      });
    let gateway = await startGatewayOn(ports.gateway);
    return {
      get gateway() {
        return gateway;
      },
      revocations,
      get identity() {
        return subgraphs.identity as IdentityServer;
      },
      subgraphs,
      stopSubgraph: (name) => subgraphs[name].stop(),
      async restartSubgraph(name) {
        const server = await starters[name](env, placement(name, subgraphs[name].port));
        Object.assign(subgraphs, { [name]: server });
      },
      async restartGateway() {
        await gateway.stop();
        gateway = await startGatewayOn(gateway.port);
      },
      async stop() {
        await gateway.stop();
        await Promise.all(Object.values(subgraphs).map((server) => server.stop()));
        await revocations.close();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
