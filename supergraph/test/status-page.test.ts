import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '@fitnexa/shared/server';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import { loadGatewayConfig, subgraphsOf } from '../src';
import { SUPERGRAPH_SDL, startTestGateway } from './kit';

// The status page: each subgraph's readiness (from its own /health/ready) and latency, and the
// dependencies that are degraded, as a page that polls a JSON report; none in production unless
// STATUS_PAGE says so.

const SUBGRAPH_NAMES = subgraphsOf(SUPERGRAPH_SDL).map(({ name }) => name);

/** A subgraph's /health/ready answering `status` with `body`, as startSubgraph's would. */
function readinessStub(status: number, body: object): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const urlOf = (server: Server) =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

let healthy: Server;
let broken: Server;
const gateways: RunningServer[] = [];

async function gatewayWith(options: { production: boolean; statusPage?: boolean }) {
  const issuer = await testTokenIssuer();
  const gateway = await startTestGateway({
    // gym's database is down; every other subgraph serves, with its events degraded.
    subgraphUrls: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, urlOf(name === 'gym' ? broken : healthy)]),
    ),
    verifyAccessToken: issuer.verify,
    rateLimits: false,
    ...options,
  });
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  healthy = await readinessStub(200, {
    status: 'ready',
    ready: true,
    notReady: [],
    degraded: ['events'],
    checks: { events: { status: 'down', error: 'connect ECONNREFUSED amqp://guest:guest@mq' } },
  });
  broken = await readinessStub(503, {
    status: 'not ready',
    ready: false,
    notReady: ['database'],
    degraded: [],
    checks: { database: { status: 'down', error: 'password authentication failed for "gym"' } },
  });
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await Promise.all(
    [healthy, broken].map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

const get = (gateway: RunningServer, path: string) =>
  fetch(`${new URL(gateway.url).origin}${path}`);

describe('the status page', () => {
  it('when a browser opens /status outside production, then it gets a page whose script and style come from the gateway', async () => {
    const gateway = await gatewayWith({ production: false });
    const page = await get(gateway, '/status');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.sort()).toEqual(['/status/status.css', '/status/status.js']);
    for (const asset of assets) {
      const response = await get(gateway, asset);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      expect(response.headers.get('content-type')).toContain(
        asset.endsWith('.css') ? 'text/css' : 'javascript',
      );
    }
    expect(await (await get(gateway, '/status/status.js')).text()).toContain('/status/report.json');
  });

  it('when a subgraph is not ready and the others have a degraded dependency, then the report names them, with latencies', async () => {
    const gateway = await gatewayWith({ production: false });
    const response = await get(gateway, '/status/report.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const report = await response.json();
    expect(report.status).toBe('down');
    expect(new Date(report.checkedAt).getTime()).not.toBeNaN();
    expect(report.subgraphs.map((subgraph: { name: string }) => subgraph.name)).toEqual(
      SUBGRAPH_NAMES,
    );
    const byName = Object.fromEntries(
      report.subgraphs.map((subgraph: { name: string }) => [subgraph.name, subgraph]),
    );
    expect(byName.gym).toEqual({
      name: 'gym',
      status: 'down',
      latencyMs: expect.any(Number),
      failing: ['database'],
      degraded: [],
    });
    expect(byName.identity).toEqual({
      name: 'identity',
      status: 'up',
      latencyMs: expect.any(Number),
      failing: [],
      degraded: ['events'],
    });
    expect(report.gateway).toEqual([
      { name: 'cache', status: 'up', latencyMs: expect.any(Number) },
      { name: 'revocations', status: 'up', latencyMs: expect.any(Number) },
    ]);
  });

  it('when the report is read, then it shows no error text, address or credential', async () => {
    const gateway = await gatewayWith({ production: false });
    const text = await (await get(gateway, '/status/report.json')).text();
    for (const secret of ['guest', 'password', 'amqp', '127.0.0.1', 'ECONNREFUSED', 'error']) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('when every subgraph is ready with nothing degraded, then the report says up', async () => {
    const allWell = await readinessStub(200, { ready: true, notReady: [], degraded: [] });
    try {
      const issuer = await testTokenIssuer();
      const gateway = await startTestGateway({
        subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, urlOf(allWell)])),
        verifyAccessToken: issuer.verify,
        rateLimits: false,
      });
      gateways.push(gateway);
      const report = await (await get(gateway, '/status/report.json')).json();
      expect(report.status).toBe('up');
    } finally {
      await new Promise((resolve) => allWell.close(resolve));
    }
  });

  it('when the gateway runs in production without STATUS_PAGE, then there is no status page', async () => {
    const gateway = await gatewayWith({ production: true });
    for (const path of ['/status', '/status/report.json', '/status/status.js']) {
      expect({ path, status: (await get(gateway, path)).status }).toEqual({ path, status: 404 });
    }
  });

  it('when production sets STATUS_PAGE=true, then the page and its report are served', async () => {
    const gateway = await gatewayWith({ production: true, statusPage: true });
    expect((await get(gateway, '/status')).status).toBe(200);
    expect((await get(gateway, '/status/report.json')).status).toBe(200);
  });
});

describe('STATUS_PAGE', () => {
  const env = { NODE_ENV: 'production', SERVICE_TOKEN_SECRET: 'x'.repeat(32) };

  it('when unset, then it is on outside production and off in it', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'development' }).statusPage).toBe(true);
    expect(loadGatewayConfig(env).statusPage).toBe(false);
    expect(loadGatewayConfig({ ...env, STATUS_PAGE: 'true' }).statusPage).toBe(true);
  });

  it('when it is neither true nor false, then the config is refused', () => {
    expect(() => loadGatewayConfig({ STATUS_PAGE: 'yes' })).toThrow(/STATUS_PAGE/);
  });
});
