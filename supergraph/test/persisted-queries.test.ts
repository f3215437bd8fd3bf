import { createHash, randomBytes } from 'node:crypto';
import type { RunningServer } from '@fitnexa/shared/server';
import { Redis } from 'ioredis';
import { testRedisUrl, testTokenIssuer } from '@fitnexa/shared/testing';
import { type GatewayOptions } from '../src';
import { startTestGateway } from './kit';

const gateways: RunningServer[] = [];
async function aGateway(redisUrl: string | undefined, options: Partial<GatewayOptions> = {}) {
  const issuer = await testTokenIssuer();
  const gateway = await startTestGateway({
    verifyAccessToken: issuer.verify,
    redisUrl,
    ...options,
  });
  gateways.push(gateway);
  return gateway;
}
afterAll(() => Promise.all(gateways.map((gateway) => gateway.stop())));

/** An operation no earlier run registered: its hash is new to Redis. `padding` bytes of comment. */
function aFreshOperation(padding = 0) {
  const comment = padding ? `# ${'x'.repeat(padding)}\n` : '';
  const query = `${comment}query Apq${randomBytes(6).toString('hex')} { __typename }`;
  const sha256Hash = createHash('sha256').update(query).digest('hex');
  return { query, extensions: { persistedQuery: { version: 1, sha256Hash } } };
}

async function post(gateway: RunningServer, body: unknown) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as any;
}

const metricValue = async (gateway: RunningServer, line: RegExp) => {
  const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  return Number(
    text
      .split('\n')
      .find((entry) => line.test(entry))
      ?.split(' ')
      .at(-1) ?? 0,
  );
};

describe('automatic persisted queries', () => {
  it('when a client registers a query on one gateway, then another gateway on the same Redis answers its hash alone', async () => {
    const [first, second] = [await aGateway(testRedisUrl()), await aGateway(testRedisUrl())];
    const operation = aFreshOperation();
    const hashOnly = { extensions: operation.extensions };

    const unknown = await post(first!, hashOnly);
    expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await post(first!, operation)).toEqual({ data: { __typename: 'Query' } });
    expect(await post(second!, hashOnly)).toEqual({ data: { __typename: 'Query' } });

    expect(await metricValue(first!, /^graphql_persisted_queries_total\{.*result="miss"/)).toBe(1);
    expect(await metricValue(first!, /^graphql_persisted_queries_total\{.*result="register"/)).toBe(
      1,
    );
    expect(await metricValue(second!, /^graphql_persisted_queries_total\{.*result="hit"/)).toBe(1);
  });

  it('when a query is registered in Redis, then it expires there after a day', async () => {
    const gateway = await aGateway(testRedisUrl());
    const operation = aFreshOperation();
    expect(await post(gateway, operation)).toEqual({ data: { __typename: 'Query' } });
    const redis = new Redis(testRedisUrl());
    try {
      const ttl = await redis.ttl(`gateway:apq:${operation.extensions.persistedQuery.sha256Hash}`);
      expect(ttl).toBeGreaterThan(86_000);
      expect(ttl).toBeLessThanOrEqual(86_400);
    } finally {
      redis.disconnect();
    }
  });

  it('when many distinct large queries are registered without Redis, then the in-process store keeps the most recent within its byte bound and lets the oldest go', async () => {
    const count = 60;
    const maxBytes = 4 * 1024 * 1024;
    const gateway = await aGateway(undefined, { memoryCacheMaxBytes: maxBytes, rateLimits: false });
    const hashOnly = (operation: ReturnType<typeof aFreshOperation>) => ({
      extensions: operation.extensions,
    });
    const operations = Array.from({ length: count }, () => aFreshOperation(900 * 1024));
    global.gc?.();
    const before = process.memoryUsage();
    for (const operation of operations) {
      expect(await post(gateway, operation)).toEqual({ data: { __typename: 'Query' } });
    }
    global.gc?.();
    const after = process.memoryUsage();
    if (process.env.REPORT_MEMORY) {
      const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
      process.stdout.write(
        `${count} APQs of 900 KB, store bound ${mib(maxBytes)} MiB: heapUsed ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB, rss ${mib(before.rss)} → ${mib(after.rss)} MiB\n`,
      );
    }

    expect(await post(gateway, hashOnly(operations.at(-1)!))).toEqual({
      data: { __typename: 'Query' },
    });
    // 4 MiB hold 4 of these: the first and the sixth from last went.
    for (const evicted of [operations[0]!, operations.at(-6)!]) {
      expect((await post(gateway, hashOnly(evicted))).errors[0].extensions.code).toBe(
        'PERSISTED_QUERY_NOT_FOUND',
      );
    }
  });

  it('when the hash does not match the query, then it is refused', async () => {
    const gateway = await aGateway(testRedisUrl());
    const operation = aFreshOperation();
    const forged = { ...operation, query: '{ __schema { types { name } } }' };
    const answer = await post(gateway, forged);
    expect(answer.errors[0]).toMatchObject({
      message: expect.stringMatching(/sha/),
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(answer.data).toBeUndefined();
  });

  it('when Redis is not reachable, then a hash alone is a miss and the full query still works', async () => {
    const gateway = await aGateway('redis://127.0.0.1:1');
    const operation = aFreshOperation();
    expect(
      (await post(gateway, { extensions: operation.extensions })).errors[0].extensions.code,
    ).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await post(gateway, operation)).toEqual({ data: { __typename: 'Query' } });
  });
});
