import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import type { RunningServer } from '@fitnexa/shared/server';
import { type GatewayOptions } from '../src';
import { everySubgraphAt, startTestGateway } from './kit';
import { MAX_BATCH } from '@fitnexa/shared/limits';

// Operations the gateway must refuse before planning: each answer is a GraphQL error with a code,
// and no subgraph hears of the request. Every subgraph URL points at one stub that counts calls.

let subgraphCalls = 0;
let stub: Server;
const gateways: RunningServer[] = [];
let token: string;

async function startGatewayOnStub(
  issuer: Awaited<ReturnType<typeof testTokenIssuer>>,
  production: boolean,
  rateLimits?: GatewayOptions['rateLimits'],
) {
  const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql`;
  const gateway = await startTestGateway({
    subgraphUrls: everySubgraphAt(url),
    verifyAccessToken: issuer.verify,
    production,
    rateLimits,
  });
  gateways.push(gateway);
  return gateway;
}

let development: RunningServer;
let production: RunningServer;
let limited: RunningServer;

beforeAll(async () => {
  stub = createServer((_req, res) => {
    subgraphCalls += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { me: null } }));
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const issuer = await testTokenIssuer();
  token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
  development = await startGatewayOnStub(issuer, false);
  production = await startGatewayOnStub(issuer, true);
  limited = await startGatewayOnStub(issuer, false, {
    perIp: { points: 3, durationSeconds: 60 },
    perUser: { points: 100, durationSeconds: 60 },
  });
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await new Promise((resolve) => stub.close(resolve));
});
beforeEach(() => {
  subgraphCalls = 0;
});

async function post(gateway: RunningServer, body: string | unknown) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const nested = (depth: number, leaf: string): string =>
  depth === 0 ? leaf : `squads { owner { ${nested(depth - 1, leaf)} } }`;

describe('limits at the edge', () => {
  it('when an operation is within every limit, then it reaches the subgraph (the stub counts)', async () => {
    const { status } = await post(development, { query: '{ me { id } }' });
    expect(status).toBe(200);
    expect(subgraphCalls).toBe(1);
  });

  it.each([
    ['deeper than 12 levels', `{ me { ${nested(6, 'id')} } }`],
    [
      'with more than 20 aliases',
      `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: me { id }`).join(' ')} }`,
    ],
    ['with more than 50 directives', `{ __typename ${'@skip(if: false) '.repeat(51)} }`],
    ['costing more than 10,000', `{ me { ${nested(5, 'id '.repeat(150))} } }`],
  ])(
    'when an operation is %s, then it is refused as invalid and no subgraph is called',
    async (_, query) => {
      const { status, body } = await post(development, { query });
      expect(status).toBe(400);
      expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(subgraphCalls).toBe(0);
    },
  );

  it('when an operation has more than 2,000 tokens, then it is refused as unparsable and no subgraph is called', async () => {
    const query = `{ me { ${'id '.repeat(2_100)} } }`;
    const { status, body } = await post(development, { query });
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: expect.stringContaining('tokens'),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    expect(subgraphCalls).toBe(0);
  });

  it('when the body is larger than 1 MB, then it is 413 PAYLOAD_TOO_LARGE', async () => {
    const query = `{ me { id } } # ${'x'.repeat(1_100_000)}`;
    const { status, body } = await post(development, { query });
    expect(status).toBe(413);
    expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(subgraphCalls).toBe(0);
  });

  it(`when a batch holds more than ${MAX_BATCH} operations, then it is refused whole; a smaller batch runs`, async () => {
    const operation = { query: '{ __typename }' };
    const tooMany = await post(
      development,
      Array.from({ length: MAX_BATCH + 1 }, () => operation),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].extensions.code).toBe('BAD_REQUEST');

    const fine = await post(development, [operation, operation]);
    expect(fine.status).toBe(200);
    expect(fine.body).toEqual([
      { data: { __typename: 'Query' } },
      { data: { __typename: 'Query' } },
    ]);
  });

  it('when the body is not JSON, then it is 400 BAD_REQUEST', async () => {
    const { status, body } = await post(development, '{"query": ');
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('when a client introspects or mistypes a field in production, then introspection is refused and no field is suggested; in development both work', async () => {
    const introspection = { query: '{ __schema { queryType { name } } }' };
    expect((await post(development, introspection)).body.data.__schema.queryType.name).toBe(
      'Query',
    );
    const refused = await post(production, introspection);
    expect(refused.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const typo = { query: '{ me { displayNam } }' };
    expect((await post(development, typo)).body.errors[0].message).toContain('Did you mean');
    expect((await post(production, typo)).body.errors[0].message).not.toContain('Did you mean');
    expect(subgraphCalls).toBe(0);
  });

  it('when operations ran, then /metrics has their durations by name, the subgraph fetches and the errors by code', async () => {
    const named = await post(development, { query: 'query MemberHome { me { id } }' });
    expect(named.status).toBe(200);
    await post(development, { query: '{ notAField }' });
    const text = await (await fetch(development.url.replace('/graphql', '/metrics'))).text();
    const line = (pattern: RegExp) => text.split('\n').find((entry) => pattern.test(entry));
    expect(
      line(/^graphql_operation_duration_seconds_count\{.*operation="MemberHome",type="query"/),
    ).toBeDefined();
    expect(
      line(/^subgraph_fetch_duration_seconds_count\{.*subgraph="identity",outcome="ok"/),
    ).toBeDefined();
    expect(line(/^graphql_errors_total\{.*code="GRAPHQL_VALIDATION_FAILED"/)).toBeDefined();
  });

  it('when a client exceeds its rate limit, then it gets 429 with Retry-After and RATE_LIMITED, and no subgraph is called', async () => {
    for (let request = 0; request < 3; request += 1) {
      expect((await post(limited, { query: '{ __typename }' })).status).toBe(200);
    }
    const response = await fetch(limited.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(subgraphCalls).toBe(0);
  });
});
