import type { Server } from 'node:http';
import type { RunningServer } from '@fitnexa/shared/server';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import { everySubgraphAt, serveStubSubgraph, startTestGateway } from './kit';

// Whole responses cached by the gateway as the subgraphs' Cache-Control allows. A stand-in gym
// subgraph answers every request with the Cache-Control a test sets, and counts the requests.

const CACHEABLE = 'max-age=60, public';
const UNCACHEABLE = 'no-store';
let cacheControl = CACHEABLE;
let requestsReceived = 0;

let stub: Server;
let gateway: RunningServer;
let token: string;

beforeAll(async () => {
  let base: string;
  ({ server: stub, base } = await serveStubSubgraph(({ variables }, _req, res) => {
    requestsReceived += 1;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', cacheControl);
    res.end(JSON.stringify({ data: { gym: { name: `gym ${String(variables?.id)}` } } }));
  }));
  const issuer = await testTokenIssuer();
  token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
  gateway = await startTestGateway({
    subgraphUrls: everySubgraphAt(base),
    verifyAccessToken: issuer.verify,
    rateLimits: false,
  });
});
afterAll(async () => {
  await gateway.stop();
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});
beforeEach(() => {
  requestsReceived = 0;
  cacheControl = CACHEABLE;
});

async function askForGym(id: string) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'query GymName($id: ID!) { gym(id: $id) { name } }',
      variables: { id },
    }),
  });
  return (await response.json()) as unknown;
}

const gymNamed = (id: string) => ({ data: { gym: { name: `gym ${id}` } } });

describe('the gateway response cache', () => {
  it('when the subgraph marks an answer cacheable, then the same query again is answered from the cache', async () => {
    expect(await askForGym('g-1')).toEqual(gymNamed('g-1'));
    expect(await askForGym('g-1')).toEqual(gymNamed('g-1'));

    expect(requestsReceived).toBe(1);
  });

  it('when the subgraph marks answers uncacheable, then each query reaches it', async () => {
    cacheControl = UNCACHEABLE;
    expect(await askForGym('g-2')).toEqual(gymNamed('g-2'));
    expect(await askForGym('g-2')).toEqual(gymNamed('g-2'));

    expect(requestsReceived).toBe(2);
  });

  it('when an operation was last answered uncacheably, then its cache is not read until an answer of it is cacheable again', async () => {
    expect(await askForGym('g-3')).toEqual(gymNamed('g-3')); // stored
    cacheControl = UNCACHEABLE;
    expect(await askForGym('g-4')).toEqual(gymNamed('g-4')); // the operation: uncacheable
    cacheControl = CACHEABLE;

    // Not looked up: g-3's stored answer is not read; this cacheable answer re-enables reading.
    expect(await askForGym('g-3')).toEqual(gymNamed('g-3'));
    expect(requestsReceived).toBe(3);
    expect(await askForGym('g-3')).toEqual(gymNamed('g-3'));
    expect(requestsReceived).toBe(3);
  });
});
