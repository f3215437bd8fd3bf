// What the benchmark's parent and its child processes share: how a child says it is ready, how it
// is configured, and the supergraph every gateway is given.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A child prints one line starting with this, then JSON, once it serves. */
export const READY_PREFIX = 'BENCH_READY ';

/** The environment variable carrying a child's configuration as JSON. */
export const CONFIG_ENV = 'BENCH_CHILD_CONFIG';

/**
 * The gateways compared: ours, plain Apollo Gateway (the oracle: every answer must equal its),
 * Hive Gateway with its JavaScript planner and Hive Gateway with its router runtime (the Rust query
 * planner as a native addon, and that runtime's executor).
 */
export const GATEWAY_KINDS = ['ours', 'apollo', 'hive', 'hive-router'] as const;
/** Ours with OpenTelemetry tracing on: run beside the others when BENCH_TRACING_RATIO is set. */
export const TRACED = 'traced';
/** Ours from another checkout (BENCH_BASELINE): a change measured against its base in one run. */
export const BASELINE = 'baseline';
export type GatewayKind = (typeof GATEWAY_KINDS)[number] | typeof TRACED | typeof BASELINE;

/**
 * What the subgraphs child reports: each subgraph's GraphQL URL, identity's key set, and where it
 * tells how many GraphQL requests each subgraph has received (GET: `SubgraphRequestCounts`).
 */
export interface SubgraphsReady {
  subgraphs: Record<string, string>;
  jwksUrl: string;
  countsUrl: string;
}

/** GraphQL requests (POSTs) each subgraph has received since it started. */
export type SubgraphRequestCounts = Record<string, number>;

/** What a gateway child is given. */
export interface GatewayConfig {
  subgraphUrls: Record<string, string>;
  jwksUrl: string;
  /** What every gateway signs its credentials to the subgraphs with (the subgraphs require one). */
  serviceTokenSecret: string;
  /** Redis for the gateway's own caches (ours only), when the subgraphs use it too. */
  redisUrl?: string;
  /**
   * Identical subgraph requests in flight at once are sent only once: ours' and Hive Gateway's
   * default. False turns it off in both, to compare execution alone.
   */
  deduplication: boolean;
  /** The traced gateway's OTLP endpoint and parentbased_traceidratio ratio. */
  tracing?: { endpoint: string; ratio: string };
  /** Serve allocation sampling (./allocations), its profiles written into this directory. */
  allocationsDir?: string;
}

/** What a gateway child reports: where it serves GraphQL. */
export interface GatewayReady {
  url: string;
  /** Where its allocation sampling is started and stopped, when asked for (./allocations). */
  allocationsUrl?: string;
}

export interface StartedGateway extends GatewayReady {
  stop(): Promise<void>;
}

export const SUPERGRAPH_PATH = join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

/**
 * The composed supergraph with each `@join__graph(name: …, url: …)` routing URL replaced by the
 * started subgraph's, so that every gateway — whatever it reads overrides from — routes alike.
 */
export function supergraphRoutedTo(subgraphUrls: Record<string, string>): string {
  const sdl = readFileSync(SUPERGRAPH_PATH, 'utf8');
  const seen = new Set<string>();
  const rewritten = sdl.replace(
    /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
    (_directive, name: string) => {
      const url = subgraphUrls[name];
      if (!url) throw new Error(`No started subgraph for ${name} in ${SUPERGRAPH_PATH}`);
      seen.add(name);
      return `@join__graph(name: "${name}", url: "${url}")`;
    },
  );
  const missing = Object.keys(subgraphUrls).filter((name) => !seen.has(name));
  if (missing.length) throw new Error(`The supergraph does not route to ${missing.join(', ')}`);
  return rewritten;
}

export function childConfig<T>(): T {
  const json = process.env[CONFIG_ENV];
  if (!json) throw new Error(`${CONFIG_ENV} is not set: start this through npm run bench:gateway`);
  return JSON.parse(json) as T;
}
