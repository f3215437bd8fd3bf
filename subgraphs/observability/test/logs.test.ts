import { randomUUID } from 'node:crypto';
import { runWithCorrelationId } from '@fitnexa/shared/middleware';
import { codeOf, untilPasses } from '@fitnexa/shared/testing';
import { MongoClient } from 'mongodb';
import { startMongoStandIn, startMongoStandInEarly } from '../src/data/stand-in';
import { LOGS_QUERY, startTestObservability, type TestObservability } from './harness';

describe('observability', () => {
  let observability: TestObservability;
  beforeAll(async () => {
    observability = await startTestObservability();
  });
  afterAll(() => observability?.stop());

  const logs = async (filter: Record<string, unknown>, first?: number) => {
    const result = await observability.graphql(
      LOGS_QUERY,
      { filter, first },
      observability.adminToken,
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data.logs as Record<string, any>[];
  };

  it('when services publish log entries, then an admin finds them, newest first, with service, level, correlation id and details', async () => {
    const correlationId = `checkout-${randomUUID()}`;
    const gym = observability.serviceLogger('gym');
    runWithCorrelationId(correlationId, () => {
      gym.info('class booked', { classId: 'class-1' });
      gym.warn('waitlist almost full', { classId: 'class-1', free: 1 });
    });

    const found = await untilPasses(async () => {
      const entries = await logs({ correlationId });
      expect(entries).toHaveLength(2);
      return entries;
    });
    expect(found.map((entry) => entry.message)).toEqual(['waitlist almost full', 'class booked']);
    expect(found[0]).toMatchObject({
      id: expect.any(String),
      service: 'gym',
      level: 'WARN',
      correlationId,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(JSON.parse(found[0]!.details)).toEqual({ classId: 'class-1', free: 1 });
  });

  it('when filtered by service, level, correlation id or time, then only entries meeting every condition come back', async () => {
    const correlationId = `filter-${randomUUID()}`;
    const other = `filter-other-${randomUUID()}`;
    const identity = observability.serviceLogger('identity');
    const workout = observability.serviceLogger('workout');
    runWithCorrelationId(correlationId, () => {
      identity.info('user registered');
      identity.error('email not sent');
      workout.http('request', { status: 200 });
    });
    runWithCorrelationId(other, () => identity.info('another request'));
    await untilPasses(async () => expect(await logs({ correlationId })).toHaveLength(3));
    await untilPasses(async () => expect(await logs({ correlationId: other })).toHaveLength(1));

    const messages = async (filter: Record<string, unknown>) =>
      (await logs(filter)).map((entry) => entry.message).sort();
    expect(await messages({ correlationId, service: 'identity' })).toEqual([
      'email not sent',
      'user registered',
    ]);
    expect(await messages({ correlationId, level: 'ERROR' })).toEqual(['email not sent']);
    expect(await messages({ correlationId, service: 'workout', level: 'HTTP' })).toEqual([
      'request',
    ]);
    expect(await messages({ service: 'identity', level: 'INFO', correlationId: other })).toEqual([
      'another request',
    ]);

    const since = new Date();
    expect(await messages({ correlationId, since: since.toISOString() })).toEqual([]);
    runWithCorrelationId(correlationId, () => identity.info('later'));
    await untilPasses(async () =>
      expect(await messages({ correlationId, since: since.toISOString() })).toEqual(['later']),
    );
    expect(await logs({ correlationId }, 2)).toHaveLength(2);
  });

  it('when the caller is not signed in, then logs is UNAUTHENTICATED; when not an admin, FORBIDDEN', async () => {
    const anonymous = await observability.graphql(LOGS_QUERY, {});
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    const member = await observability.graphql(LOGS_QUERY, {}, observability.memberToken);
    expect(codeOf(member)).toBe('FORBIDDEN');
    expect(member.data?.logs ?? null).toBeNull();
  });

  it('when first is above 500 or below 1, then the query is refused as BAD_USER_INPUT naming first', async () => {
    for (const first of [501, 0]) {
      const result = await observability.graphql(LOGS_QUERY, { first }, observability.adminToken);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/first: must be at (most 500|least 1)/);
    }
  });

  it('when asked whether it is ready, then it reports MongoDB up and the broker', async () => {
    const response = await fetch(observability.server.url.replace('/graphql', '/health/ready'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      checks: { mongodb: { status: 'up' }, bus: { status: 'up' } },
    });
  });
});

describe('observability retention', () => {
  it('when started with LOG_RETENTION_DAYS, then the logs collection has a TTL index of that many days, also after a restart with another value', async () => {
    const mongo = await startMongoStandIn('fitnexa_logs');
    try {
      const first = await startTestObservability({ retentionDays: 3, mongodbUrl: mongo.url });
      expect(await first.server.store.retentionSeconds()).toBe(3 * 86_400);
      await first.stop({ keepBus: true });

      const second = await startTestObservability({
        retentionDays: 30,
        mongodbUrl: mongo.url,
        bus: first.bus,
      });
      try {
        expect(await second.server.store.retentionSeconds()).toBe(30 * 86_400);
      } finally {
        await second.stop();
      }
    } finally {
      await mongo.stop();
    }
  });
});

describe('observability on the MongoDB stand-in', () => {
  it('when its thread was started early, then the next stand-in is that one, storing what is written, and the one after it a thread of its own', async () => {
    startMongoStandInEarly();
    const early = await startMongoStandIn('early');
    const later = await startMongoStandIn('later');
    const client = new MongoClient(early.url);
    try {
      expect(new URL(early.url).port).not.toBe(new URL(later.url).port);
      await client.db().collection('entries').insertOne({ message: 'kept' });
      expect(
        await client
          .db()
          .collection('entries')
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({ message: 'kept' });
    } finally {
      await client.close();
      await Promise.all([early.stop(), later.stop()]);
    }
  });

  it('when entries were stored longer ago than the retention, then the sweep deletes them as the TTL index would', async () => {
    const observability = await startTestObservability({ retentionDays: 1 });
    try {
      const correlationId = `old-${randomUUID()}`;
      runWithCorrelationId(correlationId, () =>
        observability.serviceLogger('gym').info('soon expired'),
      );
      const find = () =>
        observability.graphql(LOGS_QUERY, { filter: { correlationId } }, observability.adminToken);
      await untilPasses(async () => expect((await find()).data.logs).toHaveLength(1));

      expect(await observability.server.store.expire(new Date(Date.now() + 23 * 3_600_000))).toBe(
        0,
      );
      expect(await observability.server.store.expire(new Date(Date.now() + 25 * 3_600_000))).toBe(
        1,
      );
      expect((await find()).data.logs).toEqual([]);
    } finally {
      await observability.stop();
    }
  });
});
