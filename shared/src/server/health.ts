import type { Express } from 'express';
import { errorMessage } from '../errors';

export type ReadinessCheck = () => Promise<unknown>;

const READINESS_TIMEOUT_MS = 2_000;

/**
 * Runs readiness checks in parallel, each bounded in time; reports latency per check. A
 * `degradable` check that fails is listed as degraded; only the others make the service not ready.
 */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  degradable: Record<string, ReadinessCheck> = {},
) {
  const results = await Promise.all(
    Object.entries({ ...checks, ...degradable }).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS).unref(),
          ),
        ]);
        return [
          name,
          { status: 'up', latencyMs: Math.round(performance.now() - started) },
        ] as const;
      } catch (error) {
        return [
          name,
          {
            status: 'down',
            latencyMs: Math.round(performance.now() - started),
            error: errorMessage(error),
          },
        ] as const;
      }
    }),
  );
  const down = results.filter(([, result]) => result.status !== 'up').map(([name]) => name);
  const notReady = down.filter((name) => !(name in degradable));
  const degraded = down.filter((name) => name in degradable);
  return { ready: notReady.length === 0, notReady, degraded, checks: Object.fromEntries(results) };
}

/** What `healthRoutes` gives its server: the switch its shutdown turns first. */
export interface HealthRoutes {
  /**
   * From now on `/health/ready` answers 503 `draining`, without running the checks: the load
   * balancer takes the instance out of rotation while its requests in flight finish.
   */
  drain(): void;
}

/** `/health/live` and `/health/ready`, the same on every FitNexa server. */
export function healthRoutes(
  app: Express,
  readiness: () => Promise<{ ready: boolean } & object>,
): HealthRoutes {
  let draining = false;
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/health/ready', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining', ready: false });
      return;
    }
    const report = await readiness();
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'not ready', ...report });
  });
  return {
    drain() {
      draining = true;
    },
  };
}
