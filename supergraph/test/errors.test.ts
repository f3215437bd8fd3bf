import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  capturingLogger,
  testTokenIssuer,
  untilPasses,
  type CapturedEntry,
} from '@fitnexa/shared/testing';
import type { RunningServer } from '@fitnexa/shared/server';
import { subgraphsOf } from '../src';
import { startTestGateway, SUPERGRAPH_SDL } from './kit';

// What the gateway's error log says about a subgraph's failure: the operator reads which subgraph,
// what it said and its code; the client gets a bare INTERNAL_SERVER_ERROR.

let stub: Server;
let gateway: RunningServer;
let entries: CapturedEntry[];
let token: string;

beforeAll(async () => {
  // Every subgraph but identity answers this stub, which fails every request it gets.
  stub = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        data: { me: null },
        errors: [
          {
            message: 'the database is on fire',
            path: ['me'],
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql`;
  // identity: a port nobody listens on (port 1 is never a test server's).
  const subgraphUrls = Object.fromEntries(
    subgraphsOf(SUPERGRAPH_SDL).map(({ name }) => [
      name,
      name === 'identity' ? 'http://127.0.0.1:1/graphql' : stubUrl,
    ]),
  );
  const issuer = await testTokenIssuer();
  token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
  const captured = capturingLogger('gateway');
  entries = captured.entries;
  gateway = await startTestGateway({
    subgraphUrls,
    verifyAccessToken: issuer.verify,
    logger: captured.logger,
    rateLimits: false,
  });
});
afterAll(async () => {
  await gateway.stop();
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});

async function query(text: string, headers: Record<string, string> = {}) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query: text }),
  });
  return response.json();
}

const errorLog = () => entries.filter((entry) => entry.level === 'error');

describe("a subgraph's failure in the gateway's log", () => {
  beforeEach(() => entries.splice(0));

  it('when a subgraph answers an error, then the log names the subgraph, its message and code, and the client sees none of it', async () => {
    const result = await query('{ squad(id: "6a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d") { id } }');

    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
    expect(errorLog()).toEqual([
      expect.objectContaining({
        message: 'subgraph error',
        subgraph: 'squad',
        code: 'INTERNAL_SERVER_ERROR',
        error: 'the database is on fire',
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain('[object Object]');
  });

  it('when a subgraph cannot be reached, then the log names the subgraph and why', async () => {
    const result = await query('{ me { id } }');

    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
    expect(errorLog()).toEqual([
      expect.objectContaining({
        message: 'subgraph error',
        subgraph: 'identity',
        error: expect.stringContaining('ECONNREFUSED'),
        stack: expect.any(String),
      }),
    ]);
  });

  it("when the client names its request with x-correlation-id, then the error's log line and the request's carry it", async () => {
    await query('{ me { id } }', { 'x-correlation-id': 'checkout-7' });

    expect(errorLog()).toEqual([
      expect.objectContaining({ message: 'subgraph error', correlationId: 'checkout-7' }),
    ]);
    await untilPasses(() =>
      expect(entries).toContainEqual(
        expect.objectContaining({ level: 'http', path: '/graphql', correlationId: 'checkout-7' }),
      ),
    );
  });
});
