import { readinessUrl, type SubgraphEndpoint } from './subgraphs';

const TIMEOUT_MS = 2_000;

/** Asks every subgraph whether it is ready, in parallel and bounded in time. */
export async function checkSubgraphs(subgraphs: SubgraphEndpoint[]) {
  const results = await Promise.all(
    subgraphs.map(async ({ name, url }) => {
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      try {
        const response = await fetch(readinessUrl(url), {
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await response.body?.cancel();
        return {
          name,
          status: response.ok ? 'up' : 'down',
          latencyMs: latency(),
          httpStatus: response.status,
        };
      } catch (error) {
        return {
          name,
          status: 'down',
          latencyMs: latency(),
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
  const notReady = results.filter((result) => result.status !== 'up').map((result) => result.name);
  return {
    ready: notReady.length === 0,
    notReady,
    subgraphs: Object.fromEntries(results.map(({ name, ...result }) => [name, result])),
  };
}
