import { ConfigError } from '@fitnexa/shared/config';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import { WebSocket } from 'ws';
import { loadGatewayConfig, type GatewayServer } from '../src';
import { everySubgraphAt, startTestGateway } from './kit';

// Browsers on allowed origins may call the gateway cross-origin; any other origin gets no CORS
// headers (the browser blocks the page), and its WebSockets are refused. `{ __typename }` needs
// no subgraph, so the subgraph URLs point nowhere.

const ALLOWED = 'http://127.0.0.1:5173';
const OTHER = 'https://evil.example';

let development: GatewayServer;
let production: GatewayServer;

async function gatewayIn(mode: 'development' | 'production') {
  const issuer = await testTokenIssuer();
  return startTestGateway({
    subgraphUrls: everySubgraphAt('http://127.0.0.1:9/graphql'),
    verifyAccessToken: issuer.verify,
    production: mode === 'production',
    rateLimits: false,
  });
}

beforeAll(async () => {
  [development, production] = await Promise.all([
    gatewayIn('development'),
    gatewayIn('production'),
  ]);
});
afterAll(async () => {
  await Promise.all([development.stop(), production.stop()]);
});

/** A browser's preflight before a POST with Apollo Client's and our tracing headers. */
const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-correlation-id,traceparent',
    },
  });

const corsHeadersOf = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

/** Opens a WebSocket (graphql-ws on /graphql by default): 'open', or the refusal's HTTP status. */
function upgrade(
  gateway: GatewayServer,
  origin?: string,
  path = '/graphql',
): Promise<'open' | number> {
  const url = gateway.url.replace(/^http/, 'ws').replace(/\/graphql$/, path);
  const socket = new WebSocket(url, ['graphql-transport-ws'], { ...(origin ? { origin } : {}) });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      socket.terminate();
      resolve(res.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}

describe('HTTP', () => {
  it('when a preflight comes from a local dev server in development, then it is answered 204 with the CORS headers', async () => {
    const response = await preflight(development.url, ALLOWED);

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    expect(response.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'apollo-require-preflight',
        'x-correlation-id',
        'traceparent',
      ]),
    );
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it('when a preflight comes from an origin not allowed, then it gets no CORS headers', async () => {
    const response = await preflight(development.url, OTHER);

    expect(response.status).not.toBe(204);
    expect(corsHeadersOf(response)).toEqual([]);
  });

  it("when an allowed origin posts an operation, then the answer carries that origin's allow header", async () => {
    const response = await fetch(development.url, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('when another origin posts a simple (text/plain) request, then CSRF prevention still refuses it', async () => {
    const response = await fetch(development.url, {
      method: 'POST',
      headers: { origin: OTHER, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
    expect(corsHeadersOf(response)).toEqual([]);
  });

  it("when a preflight for socket.io's long-polling comes from an allowed origin, then the gateway answers it", async () => {
    const response = await preflight(
      `${development.url.replace(/\/graphql$/, '')}/socket.io/messaging/?EIO=4&transport=polling`,
      ALLOWED,
    );

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('when NODE_ENV=production and CORS_ORIGINS is not set, then no origin is allowed', async () => {
    const response = await preflight(production.url, ALLOWED);

    expect(corsHeadersOf(response)).toEqual([]);
  });
});

describe('WebSocket upgrades', () => {
  it('when a graphql-ws upgrade comes with an Origin not allowed, then it is refused with 403', async () => {
    expect(await upgrade(development, OTHER)).toBe(403);
  });

  it('when a graphql-ws upgrade comes from an allowed origin or without an Origin, then it opens', async () => {
    expect(await upgrade(development, ALLOWED)).toBe('open');
    expect(await upgrade(development)).toBe('open');
  });

  it('when a socket.io upgrade comes with an Origin not allowed, then it is refused with 403', async () => {
    expect(
      await upgrade(development, OTHER, '/socket.io/messaging/?EIO=4&transport=websocket'),
    ).toBe(403);
  });

  it('when NODE_ENV=production, then a browser page of a local dev server cannot open one', async () => {
    expect(await upgrade(production, ALLOWED)).toBe(403);
    expect(await upgrade(production)).toBe('open');
  });
});

describe('CORS_ORIGINS', () => {
  const productionEnv = { NODE_ENV: 'production', SERVICE_TOKEN_SECRET: 's'.repeat(48) };

  it('when it is not set, then development allows the local web dev servers and production none', () => {
    expect(loadGatewayConfig({}).corsOrigins).toEqual(
      expect.arrayContaining([
        'http://localhost:5173',
        'http://127.0.0.1:5173',
        'http://localhost:3000',
        'http://localhost:8081',
      ]),
    );
    expect(loadGatewayConfig(productionEnv).corsOrigins).toEqual([]);
  });

  it('when it is set, then exactly those origins are allowed', () => {
    expect(
      loadGatewayConfig({
        ...productionEnv,
        CORS_ORIGINS: 'https://app.fitnexa.example, https://admin.fitnexa.example:8443',
      }).corsOrigins,
    ).toEqual(['https://app.fitnexa.example', 'https://admin.fitnexa.example:8443']);
  });

  it('when an entry is not an origin, then the configuration is refused', () => {
    expect(() => loadGatewayConfig({ CORS_ORIGINS: 'https://app.fitnexa.example/' })).toThrow(
      ConfigError,
    );
  });
});
