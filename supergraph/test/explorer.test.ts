import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import type { RunningServer } from '@fitnexa/shared/server';
import { everySubgraphAt, startTestGateway } from './kit';

// The explorer works offline: its page and every file it loads come from the gateway itself (npm
// packages), never from a CDN; production has none unless EXPLORER says so.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let stub: Server;
const gateways: RunningServer[] = [];

async function gatewayWith(options: { production: boolean; explorer?: boolean }) {
  const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql`;
  const issuer = await testTokenIssuer();
  const gateway = await startTestGateway({
    subgraphUrls: everySubgraphAt(url),
    verifyAccessToken: issuer.verify,
    rateLimits: false,
    ...options,
  });
  gateways.push(gateway);
  return gateway;
}

let development: RunningServer;
let production: RunningServer;
let productionWithExplorer: RunningServer;

beforeAll(async () => {
  stub = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { me: null } }));
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  development = await gatewayWith({ production: false });
  production = await gatewayWith({ production: true });
  productionWithExplorer = await gatewayWith({ production: true, explorer: true });
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await new Promise((resolve) => stub.close(resolve));
});

const origin = (gateway: RunningServer) => new URL(gateway.url).origin;

async function browserGet(gateway: RunningServer, path: string) {
  const response = await fetch(`${origin(gateway)}${path}`, {
    headers: { accept: BROWSER_ACCEPT },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

/** The src of every <script> and the href of every <link> of a page. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"/g)].map(
    (match) => match[1]!,
  );
}

describe('the explorer', () => {
  it.each(['/explorer', '/graphql'])(
    'when a browser opens %s in development, then it gets the GraphiQL page',
    async (path) => {
      const page = await browserGet(development, path);
      expect(page.status).toBe(200);
      expect(page.type).toContain('text/html');
      expect(page.body).toContain('graphiql.min.js');
    },
  );

  it('when the page loads its scripts and styles, then each is same-origin and served with its content type', async () => {
    const { body } = await browserGet(development, '/explorer');
    const assets = assetsOf(body);
    expect(assets).toHaveLength(7);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/explorer\/assets\/[\w.-]+\.(js|css)$/);
      const response = await fetch(`${origin(development)}${asset}`);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      expect(response.headers.get('content-type')).toContain(
        asset.endsWith('.css') ? 'text/css' : 'javascript',
      );
      expect((await response.text()).length).toBeGreaterThan(0);
    }
  });

  it('when an asset is not one of the explorer files, then it is 404 (no path into node_modules)', async () => {
    for (const path of ['/explorer/assets/package.json', '/explorer/assets/..%2Fpackage.json']) {
      const response = await fetch(`${origin(development)}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });

  it('when a browser opens /explorer or /graphql in production without EXPLORER, then there is no explorer', async () => {
    const explorer = await browserGet(production, '/explorer');
    expect(explorer.status).toBe(404);
    const graphql = await browserGet(production, '/graphql');
    expect(graphql.status).toBeGreaterThanOrEqual(400);
    expect(graphql.body).not.toMatch(/<html|graphiql|sandbox/i);
    const asset = await fetch(`${origin(production)}/explorer/assets/graphiql.min.js`);
    expect(asset.status).toBe(404);
  });

  it('when production sets EXPLORER=true, then the explorer is served', async () => {
    const page = await browserGet(productionWithExplorer, '/explorer');
    expect(page.status).toBe(200);
    expect(page.body).toContain('graphiql.min.js');
  });

  it.each([
    ['development', () => development],
    ['production', () => production],
  ])('when a client POSTs JSON to /graphql in %s, then Apollo answers it', async (_, gateway) => {
    const response = await fetch(gateway().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/html' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('when an API client GETs /graphql with a query, then Apollo answers it, not the page', async () => {
    const response = await fetch(
      `${development.url}?query=${encodeURIComponent('{ __typename }')}`,
      { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
