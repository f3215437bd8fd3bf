import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { quietLogger, testRedisUrl, uniqueName } from '@fitnexa/shared/testing';
import express from 'express';
import {
  clientAddress,
  createGatewayRateLimit,
  type GatewayRateLimit,
  type GatewayRateLimitOptions,
} from '../src/rate-limit';

// The middleware on a tiny app whose stub GraphQL handler counts the requests that reach it; the
// gateway's own wiring is tested with the gateway.

interface StubGateway {
  url: string;
  graphqlCalls: () => number;
}

const opened: { server: Server; limit: GatewayRateLimit }[] = [];
afterEach(async () => {
  for (const { server, limit } of opened.splice(0)) {
    await new Promise((resolve) => server.close(resolve));
    await limit.close();
  }
});

async function stubGateway(options: Partial<GatewayRateLimitOptions> = {}): Promise<StubGateway> {
  const limit = await createGatewayRateLimit({
    redisUrl: testRedisUrl(),
    prefix: uniqueName('fitnexa_gateway_rl'),
    perIp: { points: 3, durationSeconds: 60 },
    perUser: { points: 100, durationSeconds: 60 },
    logger: quietLogger('gateway'),
    // Tokens of the form "user-<id>"; anything else fails verification.
    principalOf: async (req) => {
      const token = req.header('authorization')?.replace(/^Bearer /, '');
      if (!token) return null;
      if (!token.startsWith('user-')) throw new Error('invalid token');
      return { userId: token.slice('user-'.length) };
    },
    ...options,
  });
  let calls = 0;
  const app = express();
  app.set('trust proxy', true);
  app.use('/graphql', express.json(), limit, (_req, res) => {
    calls += 1;
    res.json({ data: { ok: true } });
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({ server, limit });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    graphqlCalls: () => calls,
  };
}

async function request(
  gateway: StubGateway,
  { ip = '203.0.113.1', token, method = 'POST', body = { query: '{ ok }' } } = {} as {
    ip?: string;
    token?: string;
    method?: 'GET' | 'POST';
    body?: unknown;
  },
) {
  const response = await fetch(method === 'GET' ? `${gateway.url}?query=%7Bok%7D` : gateway.url, {
    method,
    headers: {
      'x-forwarded-for': ip,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: method === 'POST' ? JSON.stringify(body) : undefined,
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as any,
  };
}

describe('the gateway rate limit', () => {
  it('when one IP sends more requests than its budget, then the next is answered 429 with Retry-After and a RATE_LIMITED error and never reaches GraphQL', async () => {
    const gateway = await stubGateway({ perIp: { points: 3, durationSeconds: 60 } });
    expect((await request(gateway)).status).toBe(200);
    expect((await request(gateway, { method: 'GET' })).status).toBe(200);
    expect((await request(gateway)).status).toBe(200);

    const refused = await request(gateway, { method: 'GET' });
    expect(refused.status).toBe(429);
    const seconds = Number(refused.retryAfter);
    expect(seconds).toBeGreaterThanOrEqual(59);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual({
      errors: [
        {
          message: `Too many requests, retry in ${seconds} s`,
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
        },
      ],
    });
    expect((await request(gateway)).status).toBe(429);
    expect(gateway.graphqlCalls()).toBe(3);

    // Another address has its own budget.
    expect((await request(gateway, { ip: '203.0.113.2' })).status).toBe(200);
  });

  it('when a signed-in user spreads requests over several IPs, then their own budget still applies; other users are unaffected', async () => {
    const gateway = await stubGateway({
      perIp: { points: 100, durationSeconds: 60 },
      perUser: { points: 3, durationSeconds: 60 },
    });
    const statuses = [];
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) {
      statuses.push((await request(gateway, { ip, token: 'user-ana' })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await request(gateway, { ip: '198.51.100.4', token: 'user-ben' })).status).toBe(200);
    expect(gateway.graphqlCalls()).toBe(4);
  });

  it('when a token does not verify, then the request is limited as anonymous, by its IP, and passed on for the gateway to refuse', async () => {
    const gateway = await stubGateway({
      perIp: { points: 2, durationSeconds: 60 },
      perUser: { points: 1, durationSeconds: 60 },
    });
    expect((await request(gateway, { token: 'forged' })).status).toBe(200);
    expect((await request(gateway, { token: 'forged' })).status).toBe(200);
    expect((await request(gateway, { token: 'forged' })).status).toBe(429);
    expect(gateway.graphqlCalls()).toBe(2);
  });

  it('when two gateway instances share a Redis, then a client has one budget across both', async () => {
    const prefix = uniqueName('fitnexa_gateway_rl');
    const first = await stubGateway({ prefix, perIp: { points: 3, durationSeconds: 60 } });
    const second = await stubGateway({ prefix, perIp: { points: 3, durationSeconds: 60 } });
    const statuses = [
      (await request(first)).status,
      (await request(second)).status,
      (await request(first)).status,
      (await request(second)).status,
      (await request(first)).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(first.graphqlCalls() + second.graphqlCalls()).toBe(3);
  });

  it('when a batch arrives, then each of its operations counts against the budget', async () => {
    const gateway = await stubGateway({ perIp: { points: 4, durationSeconds: 60 } });
    const batch = [{ query: '{ a }' }, { query: '{ b }' }, { query: '{ c }' }];
    expect((await request(gateway, { body: batch })).status).toBe(200);
    expect((await request(gateway)).status).toBe(200);
    // The third request, but the fifth operation: over a budget of four.
    expect((await request(gateway)).status).toBe(429);
  });

  it('when a client has an IPv6 address, then it is counted by its /64', () => {
    expect(clientAddress('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(clientAddress('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddress(undefined)).toBe('unknown');
  });
});
