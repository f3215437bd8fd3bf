import { checkReadiness, type ReadinessCheck } from '@fitnexa/shared/server';
import { z } from '@fitnexa/shared/config';
import { readinessUrl, type SubgraphEndpoint } from './subgraphs';

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

/**
 * Asks every subgraph's `/health/ready`, in parallel and bounded in time, with latency; the
 * gateway's own `degradable` dependencies are listed as degraded when down. Each subgraph's check
 * also carries the names of its own failing and degraded dependencies (events, cache, …).
 */
export async function checkSubgraphs(
  subgraphs: SubgraphEndpoint[],
  degradable: Record<string, ReadinessCheck> = {},
) {
  const dependencies = new Map<string, SubgraphDependencies>();
  const report = await checkReadiness(
    Object.fromEntries(
      subgraphs.map(({ name, url }) => [
        name,
        async () => {
          const response = await fetch(readinessUrl(url), { signal: AbortSignal.timeout(2_000) });
          const answer = subgraphReadiness.safeParse(await response.json().catch(() => ({})));
          if (answer.success) dependencies.set(name, answer.data);
          if (!response.ok) throw new Error(`answered ${response.status}`);
        },
      ]),
    ),
    degradable,
  );
  const checks: Record<string, CheckResult> = {};
  for (const [name, check] of Object.entries(report.checks as Record<string, CheckResult>)) {
    const ofSubgraph = dependencies.get(name);
    checks[name] = ofSubgraph ? { ...check, dependencies: ofSubgraph } : check;
  }
  return { ...report, checks };
}

export type ReadinessReport = Awaited<ReturnType<typeof checkSubgraphs>>;
