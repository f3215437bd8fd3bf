import { checkReadiness, type ReadinessCheck } from '@fitnexa/shared/server';
import { z } from '@fitnexa/shared/config';
import { readinessUrl, type SubgraphEndpoint } from './subgraphs';

/** Subgraphs the API works without when none are named critical: the logs' store. */
export const NON_CRITICAL_BY_DEFAULT: readonly string[] = ['observability'];

/** The names in a subgraph's own readiness answer: its failing and its degraded dependencies. */
const subgraphReadiness = z.object({
  notReady: z.array(z.string()).catch([]),
  degraded: z.array(z.string()).catch([]),
});

export type SubgraphDependencies = z.infer<typeof subgraphReadiness>;

/** One check's result; a subgraph's also names its own dependencies that are down. */
export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
  dependencies?: SubgraphDependencies;
}

/** How long a critical subgraph may fail its checks after it last answered ready (decision 0026). */
export const CRITICAL_SUBGRAPH_GRACE_MS = 10_000;

/**
 * A gateway's memory of when each subgraph last answered ready: a critical subgraph failing within
 * `ms` of that is listed as degraded, not (yet) as taking the gateway out of rotation.
 */
export interface ReadinessGrace {
  ms: number;
  lastReady: Map<string, number>;
}

/**
 * Asks every subgraph's `/health/ready`, in parallel and bounded in time, with latency. A critical
 * subgraph that is down makes the gateway not ready; any other (and the gateway's own `degradable`
 * dependencies) is listed as degraded, and the gateway stays in rotation for the rest of the API.
 * `critical` names the critical ones; absent: all but NON_CRITICAL_BY_DEFAULT. With a `grace`, a
 * critical subgraph is only degraded while it answered ready less than `grace.ms` ago: one slow
 * answer on a busy machine does not take every gateway of a fleet out at once. Each subgraph's
 * check also carries the names of its own failing and degraded dependencies (events, cache, …).
 */
export async function checkSubgraphs(
  subgraphs: SubgraphEndpoint[],
  {
    critical,
    degradable = {},
    grace,
  }: {
    critical?: readonly string[];
    degradable?: Record<string, ReadinessCheck>;
    grace?: ReadinessGrace;
  } = {},
) {
  const isCritical = (name: string) =>
    critical ? critical.includes(name) : !NON_CRITICAL_BY_DEFAULT.includes(name);
  const dependencies = new Map<string, SubgraphDependencies>();
  const checkOf =
    ({ name, url }: SubgraphEndpoint): ReadinessCheck =>
    async () => {
      const response = await fetch(readinessUrl(url), { signal: AbortSignal.timeout(2_000) });
      const answer = subgraphReadiness.safeParse(await response.json().catch(() => ({})));
      if (answer.success) dependencies.set(name, answer.data);
      if (!response.ok) throw new Error(`answered ${response.status}`);
    };
  const checksOf = (wanted: boolean) =>
    Object.fromEntries(
      subgraphs
        .filter(({ name }) => isCritical(name) === wanted)
        .map((subgraph) => [subgraph.name, checkOf(subgraph)]),
    );
  const report = await checkReadiness(checksOf(true), { ...checksOf(false), ...degradable });
  const checks: Record<string, CheckResult> = {};
  for (const [name, check] of Object.entries(report.checks as Record<string, CheckResult>)) {
    const ofSubgraph = dependencies.get(name);
    checks[name] = ofSubgraph ? { ...check, dependencies: ofSubgraph } : check;
  }
  const now = Date.now();
  for (const [name, check] of Object.entries(checks)) {
    if (check.status === 'up') grace?.lastReady.set(name, now);
  }
  const withinGrace = (name: string) =>
    grace !== undefined && now - (grace.lastReady.get(name) ?? -Infinity) < grace.ms;
  const notReady = report.notReady.filter((name) => !withinGrace(name));
  const degraded = [...report.notReady.filter(withinGrace), ...report.degraded];
  return { ...report, ready: notReady.length === 0, notReady, degraded, checks };
}

export type ReadinessReport = Awaited<ReturnType<typeof checkSubgraphs>>;
