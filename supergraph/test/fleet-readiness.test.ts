import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import type { GatewayServer } from '../src';
import { everySubgraphAt, startTestGateway } from './kit';

// The gateway in a fleet: readiness that a load balancer can act on while one non-critical
// subgraph is down, and `/metrics` on a port of its own. Two stubs stand in for the subgraphs:
// one ready, one answering 503 on its /health/ready.

function stubAnswering(status: number) {
  const server = createServer((_req, res) => {
    res.statusCode = status;
    res.end('{}');
  });
  return new Promise<{ server: Server; url: string }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      }),
    ),
  );
}

let up: Awaited<ReturnType<typeof stubAnswering>>;
let down: Awaited<ReturnType<typeof stubAnswering>>;
let issuer: Awaited<ReturnType<typeof testTokenIssuer>>;
const gateways: GatewayServer[] = [];

beforeAll(async () => {
  [up, down, issuer] = await Promise.all([
    stubAnswering(200),
    stubAnswering(503),
    testTokenIssuer(),
  ]);
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
});
afterAll(async () => {
  for (const { server } of [up, down]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A gateway whose subgraphs are all up except `downed`. */
async function gatewayWithDown(downed: string, criticalSubgraphs?: string[]) {
  const gateway = await startTestGateway({
    subgraphUrls: { ...everySubgraphAt(up.url), [downed]: down.url },
    verifyAccessToken: issuer.verify,
    rateLimits: false,
    criticalSubgraphs,
  });
  gateways.push(gateway);
  return gateway;
}

async function readiness(gateway: GatewayServer) {
  const response = await fetch(new URL('/health/ready', gateway.url));
  return {
    status: response.status,
    body: (await response.json()) as { degraded: string[]; notReady: string[] },
  };
}

describe('gateway readiness with subgraphs down', () => {
  it('when observability is down, then the gateway stays ready with observability degraded', async () => {
    const gateway = await gatewayWithDown('observability');

    const { status, body } = await readiness(gateway);

    expect(status).toBe(200);
    expect(body.degraded).toEqual(['observability']);
    expect(body.notReady).toEqual([]);
  });

  it('when a critical subgraph is down, then the gateway is not ready and names it', async () => {
    const gateway = await gatewayWithDown('workout');

    const { status, body } = await readiness(gateway);

    expect(status).toBe(503);
    expect(body.notReady).toEqual(['workout']);
  });

  it('when the critical subgraphs are configured, then only those take the gateway out of rotation', async () => {
    const notCritical = await gatewayWithDown('workout', ['identity', 'gym']);
    const critical = await gatewayWithDown('observability', ['observability']);

    expect(await readiness(notCritical)).toMatchObject({
      status: 200,
      body: { degraded: ['workout'] },
    });
    expect(await readiness(critical)).toMatchObject({
      status: 503,
      body: { notReady: ['observability'] },
    });
  });

  it('when a critical subgraph is not in the supergraph, then the gateway refuses to start', async () => {
    await expect(
      startTestGateway({
        subgraphUrls: everySubgraphAt(up.url),
        verifyAccessToken: issuer.verify,
        rateLimits: false,
        criticalSubgraphs: ['identity', 'payments'],
      }),
    ).rejects.toThrow('CRITICAL_SUBGRAPHS names no subgraph of the supergraph: payments');
  });
});

describe('gateway readiness while a critical subgraph fails after answering ready', () => {
  it('when workout answered ready and then fails, then the gateway stays ready naming it degraded, and with no grace is not ready', async () => {
    let workoutStatus = 200;
    const workout = createServer((_req, res) => {
      res.statusCode = workoutStatus;
      res.end('{}');
    });
    await new Promise<void>((resolve) => workout.listen(0, '127.0.0.1', resolve));
    const workoutUrl = `http://127.0.0.1:${(workout.address() as AddressInfo).port}/graphql`;
    try {
      const start = (criticalSubgraphGraceMs?: number) =>
        startTestGateway({
          subgraphUrls: { ...everySubgraphAt(up.url), workout: workoutUrl },
          verifyAccessToken: issuer.verify,
          rateLimits: false,
          criticalSubgraphGraceMs,
        }).then((gateway) => (gateways.push(gateway), gateway));
      const [withGrace, withoutGrace] = await Promise.all([start(), start(0)]);
      expect((await readiness(withGrace)).status).toBe(200);
      expect((await readiness(withoutGrace)).status).toBe(200);

      workoutStatus = 503;

      expect(await readiness(withGrace)).toMatchObject({
        status: 200,
        body: { degraded: ['workout'], notReady: [] },
      });
      expect(await readiness(withoutGrace)).toMatchObject({
        status: 503,
        body: { notReady: ['workout'] },
      });
    } finally {
      workout.closeAllConnections();
      await new Promise<void>((resolve) => workout.close(() => resolve()));
    }
  });
});

describe('gateway metrics port', () => {
  it('when a metrics port is set, then /metrics answers there and not on the public port', async () => {
    const gateway = await startTestGateway({
      subgraphUrls: everySubgraphAt(up.url),
      verifyAccessToken: issuer.verify,
      rateLimits: false,
      metricsPort: 0,
    });
    gateways.push(gateway);

    const metrics = await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`);
    const publicMetrics = await fetch(new URL('/metrics', gateway.url));

    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_request_duration_seconds');
    expect(publicMetrics.status).toBe(404);
    await publicMetrics.body?.cancel();
  });
});
