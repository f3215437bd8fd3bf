import { Redis } from 'ioredis';
import { createCache } from '../src/cache';
import { quietLogger, startOwnRedis, testRedisUrl, uniqueName } from '../src/testing';

describe('the cache on the real Redis', () => {
  it('when a value is cached, then it is read back (dates included) until deleted, under the service prefix', async () => {
    const prefix = uniqueName('fitnexa_test');
    const cache = await createCache({ url: testRedisUrl(), prefix, logger: quietLogger() });
    const raw = new Redis(testRedisUrl());
    try {
      const value = { name: 'Iron Temple', openedAt: new Date('2026-01-02T03:04:05.000Z') };
      await cache.set('gym:1', value, 60);
      expect(await cache.get('gym:1')).toEqual(value);
      expect(await raw.ttl(`${prefix}:gym:1`)).toBeGreaterThan(50);
      await cache.delete('gym:1');
      expect(await cache.get('gym:1')).toBeUndefined();
    } finally {
      await raw.del(`${prefix}:gym:1`);
      raw.disconnect();
      await cache.close();
    }
  });

  it('when a read goes through the cache twice, then the loader runs once', async () => {
    const cache = await createCache({
      url: testRedisUrl(),
      prefix: uniqueName('fitnexa_test'),
      logger: quietLogger(),
    });
    try {
      const load = jest.fn(async () => ['squat', 'deadlift']);
      await cache.getOrLoad('exercises', 60, load);
      expect(await cache.getOrLoad('exercises', 60, load)).toEqual(['squat', 'deadlift']);
      expect(load).toHaveBeenCalledTimes(1);
      await cache.delete('exercises');
    } finally {
      await cache.close();
    }
  });

  it('when Redis goes away, then reads fall through to the loader quickly and nothing throws', async () => {
    const redis = await startOwnRedis();
    const cache = await createCache({
      url: redis.url,
      prefix: 'fitnexa_test',
      logger: quietLogger(),
    });
    try {
      await cache.set('k', 1, 60);
      expect(await cache.get('k')).toBe(1);
      redis.process.kill('SIGKILL');
      await new Promise((resolve) => redis.process.once('exit', resolve));

      const started = Date.now();
      const load = jest.fn(async () => 2);
      expect(await cache.getOrLoad('k', 60, load)).toBe(2);
      expect(load).toHaveBeenCalledTimes(1);
      await expect(cache.delete('k')).resolves.toBeUndefined();
      await expect(cache.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      redis.process.kill('SIGKILL');
      await cache.close();
    }
  });

  it('without a Redis URL, then the in-process stand-in caches with expiry', async () => {
    const cache = await createCache({ prefix: 'fitnexa_test', logger: quietLogger() });
    // Long enough that a busy machine reads it back in time (50 ms was not, in a full run).
    await cache.set('short', 'lived', 1);
    expect(await cache.get('short')).toBe('lived');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await cache.get('short')).toBeUndefined();
  });
});

describe('the in-process cache', () => {
  it('when more is stored than its byte bound, then the least recently used entries go and an entry larger than the bound is not kept', async () => {
    const cache = await createCache({ prefix: 'p', logger: quietLogger(), maxBytes: 1024 * 1024 });
    const value = 'v'.repeat(100 * 1024);
    for (let i = 0; i < 30; i += 1) {
      await cache.set(`k${i}`, value, 60);
      // k0 is read all along, so it stays the most recently used of the early ones.
      expect(await cache.get('k0')).toBe(value);
    }
    expect(await cache.get('k0')).toBe(value);
    expect(await cache.get('k1')).toBeUndefined();
    expect(await cache.get('k29')).toBe(value);
    const kept = await Promise.all(Array.from({ length: 30 }, (_, i) => cache.get(`k${i}`)));
    expect(kept.filter(Boolean).length).toBeLessThanOrEqual(10);

    await cache.set('huge', 'h'.repeat(2 * 1024 * 1024), 60);
    expect(await cache.get('huge')).toBeUndefined();
    await cache.close();
  });
});
