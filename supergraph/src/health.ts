import { checkReadiness, type ReadinessCheck } from '@fitnexa/shared/server';
import { readinessUrl, type SubgraphEndpoint } from './subgraphs';

/**
 * Asks every subgraph's `/health/ready`, in parallel and bounded in time, with latency; the
 * gateway's own `degradable` dependencies are listed as degraded when down.
 */
export function checkSubgraphs(
  subgraphs: SubgraphEndpoint[],
  degradable: Record<string, ReadinessCheck> = {},
) {
  return checkReadiness(
    Object.fromEntries(
      subgraphs.map(({ name, url }) => [
        name,
        async () => {
          const response = await fetch(readinessUrl(url), { signal: AbortSignal.timeout(2_000) });
          await response.body?.cancel();
          if (!response.ok) throw new Error(`answered ${response.status}`);
        },
      ]),
    ),
    degradable,
  );
}
