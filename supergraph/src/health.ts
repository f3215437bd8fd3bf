import { checkReadiness, type ReadinessCheck } from '@fitnexa/shared/server';
import { readinessUrl, type SubgraphEndpoint } from './subgraphs';

/** Subgraphs the API works without when none are named critical: the logs' store. */
export const NON_CRITICAL_BY_DEFAULT: readonly string[] = ['observability'];

/**
 * Asks every subgraph's `/health/ready`, in parallel and bounded in time, with latency. A critical
 * subgraph that is down makes the gateway not ready; any other (and the gateway's own `degradable`
 * dependencies) is listed as degraded, and the gateway stays in rotation for the rest of the API.
 * `critical` names the critical ones; absent: all but NON_CRITICAL_BY_DEFAULT.
 */
export function checkSubgraphs(
  subgraphs: SubgraphEndpoint[],
  {
    critical,
    degradable = {},
  }: { critical?: readonly string[]; degradable?: Record<string, ReadinessCheck> } = {},
) {
  const isCritical = (name: string) =>
    critical ? critical.includes(name) : !NON_CRITICAL_BY_DEFAULT.includes(name);
  const checkOf =
    ({ url }: SubgraphEndpoint): ReadinessCheck =>
    async () => {
      const response = await fetch(readinessUrl(url), { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`answered ${response.status}`);
    };
  const checks = (wanted: boolean) =>
    Object.fromEntries(
      subgraphs
        .filter(({ name }) => isCritical(name) === wanted)
        .map((subgraph) => [subgraph.name, checkOf(subgraph)]),
    );
  return checkReadiness(checks(true), { ...checks(false), ...degradable });
}
