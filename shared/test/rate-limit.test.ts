import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from '../src/rate-limit';
import {
  capturingLogger,
  closedWhileRedisHangs,
  quietLogger,
  killProcess,
  startOwnRedis,
  testRedisUrl,
  uniqueName,
} from '../src/testing';

const opened: RateLimiter[] = [];
async function limiter(options: Partial<RateLimiterOptions> & { prefix: string }) {
  const created = await createRateLimiter({
    redisUrl: testRedisUrl(),
    points: 3,
    durationSeconds: 10,
    logger: quietLogger(),
    ...options,
  });
  opened.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((each) => each.close()));
});

async function consumeTimes(rateLimiter: RateLimiter, key: string, times: number) {
  const decisions = [];
  for (let i = 0; i < times; i += 1) decisions.push(await rateLimiter.consume(key));
  return decisions;
}

describe('the rate limiter on the real Redis', () => {
  it('when a key has used its budget, then the next request is refused with the seconds until the window ends; other keys are unaffected', async () => {
    const prefix = uniqueName('fitnexa_rl');
    const limits = await limiter({ prefix, points: 3, durationSeconds: 10 });
    const raw = new Redis(testRedisUrl());
    try {
      expect(await consumeTimes(limits, 'ip:1', 4)).toEqual([
        { allowed: true, remaining: 2 },
        { allowed: true, remaining: 1 },
        { allowed: true, remaining: 0 },
        { allowed: false, retryAfterSeconds: expect.any(Number) },
      ]);
      const refused = await limits.consume('ip:1');
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) {
        expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(9);
        expect(refused.retryAfterSeconds).toBeLessThanOrEqual(10);
      }
      expect(await limits.consume('ip:2')).toEqual({ allowed: true, remaining: 2 });
      // Counted in Redis under the prefix, expiring with the window.
      expect(await raw.ttl(`${prefix}:ip:1`)).toBeGreaterThan(8);
    } finally {
      await raw.del(`${prefix}:ip:1`, `${prefix}:ip:2`);
      raw.disconnect();
    }
  });

  it('when two instances limit with one Redis, then they share one budget per key', async () => {
    const prefix = uniqueName('fitnexa_rl');
    const first = await limiter({ prefix, points: 4 });
    const second = await limiter({ prefix, points: 4 });
    const decisions = [
      await first.consume('user:a'),
      await second.consume('user:a'),
      await first.consume('user:a'),
      await second.consume('user:a'),
      await first.consume('user:a'),
      await second.consume('user:a'),
    ];
    expect(decisions.map((decision) => decision.allowed)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    await first.reset('user:a');
  });

  it('when a request weighs several points (a batch), then it uses that much of the budget', async () => {
    const limits = await limiter({ prefix: uniqueName('fitnexa_rl'), points: 10 });
    expect(await limits.consume('ip:1', 8)).toEqual({ allowed: true, remaining: 2 });
    expect((await limits.consume('ip:1', 3)).allowed).toBe(false);
    await limits.reset('ip:1');
  });

  it('when a key is reset, then it has its whole budget again', async () => {
    const limits = await limiter({ prefix: uniqueName('fitnexa_rl'), points: 2 });
    await consumeTimes(limits, 'email:a', 3);
    expect((await limits.consume('email:a')).allowed).toBe(false);
    await limits.reset('email:a');
    expect(await limits.consume('email:a')).toEqual({ allowed: true, remaining: 1 });
    await limits.reset('email:a');
  });

  it('when blockSeconds is set, then a key over the limit stays refused that long rather than until the window ends', async () => {
    const limits = await limiter({
      prefix: uniqueName('fitnexa_rl'),
      points: 2,
      durationSeconds: 1,
      blockSeconds: 30,
    });
    const decisions = await consumeTimes(limits, 'email:a', 3);
    expect(decisions[2]).toEqual({ allowed: false, retryAfterSeconds: 30 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await limits.consume('email:a');
    expect(later.allowed).toBe(false);
    if (!later.allowed) expect(later.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    await limits.reset('email:a');
  });

  it('when the window ends, then the key has its budget again', async () => {
    const limits = await limiter({
      prefix: uniqueName('fitnexa_rl'),
      points: 1,
      durationSeconds: 1,
    });
    expect((await consumeTimes(limits, 'ip:1', 2)).map((decision) => decision.allowed)).toEqual([
      true,
      false,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await limits.consume('ip:1')).toEqual({ allowed: true, remaining: 0 });
  });
});

describe('the rate limiter without Redis', () => {
  it('when Redis goes away, then each instance keeps limiting on its own, quickly, without throwing, with one warning', async () => {
    const redis = await startOwnRedis();
    const logs = capturingLogger('test');
    const limits = await limiter({
      redisUrl: redis.url,
      prefix: 'fitnexa_rl',
      points: 3,
      logger: logs.logger,
    });
    try {
      expect((await limits.consume('ip:1')).allowed).toBe(true);
      await killProcess(redis.process);

      const started = Date.now();
      const decisions = await consumeTimes(limits, 'ip:2', 5);
      expect(decisions.map((decision) => decision.allowed)).toEqual([
        true,
        true,
        true,
        false,
        false,
      ]);
      expect(decisions[4]).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
      await expect(limits.reset('ip:2')).resolves.toBeUndefined();
      expect((await limits.consume('ip:2')).allowed).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);

      // Reconnect attempts fail too; still one warning for the outage.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const warnings = logs.entries.filter((entry) => entry.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({
        message: 'rate limiter Redis unavailable; limiting per instance',
        prefix: 'fitnexa_rl',
      });
    } finally {
      await killProcess(redis.process);
    }
  });

  it('when Redis hangs, then one request waits no longer than the command timeout and the next ones not at all before limiting locally', async () => {
    const redis = await startOwnRedis();
    const limits = await limiter({ redisUrl: redis.url, prefix: 'fitnexa_rl', points: 3 });
    try {
      expect((await limits.consume('ip:1')).allowed).toBe(true);
      redis.process.kill('SIGSTOP');
      let started = Date.now();
      expect(await limits.consume('ip:1')).toEqual({ allowed: true, remaining: 2 });
      expect(Date.now() - started).toBeLessThan(600);
      // The next requests don't wait for it again (for a while).
      started = Date.now();
      expect(await limits.consume('ip:1')).toEqual({ allowed: true, remaining: 1 });
      expect(Date.now() - started).toBeLessThan(50);
    } finally {
      redis.process.kill('SIGCONT');
      await killProcess(redis.process);
    }
  });

  it('when the limiter is closed while Redis hangs, then the close waits for its connection to end and leaves no socket or timer behind', async () => {
    const left = await closedWhileRedisHangs(async (redisUrl) => {
      const limits = await limiter({ redisUrl, prefix: 'fitnexa_rl', points: 3 });
      await limits.consume('ip:1');
      return limits;
    });
    expect(left).toEqual({ socketsEnded: 1, timersLeft: 0 });
  });

  it('when Redis comes back, then instances share the budget again and it is logged once', async () => {
    const redis = await startOwnRedis();
    const port = Number(new URL(redis.url).port);
    const logs = capturingLogger('test');
    const first = await limiter({
      redisUrl: redis.url,
      prefix: 'fitnexa_rl',
      points: 2,
      logger: logs.logger,
    });
    const second = await limiter({ redisUrl: redis.url, prefix: 'fitnexa_rl', points: 2 });
    let again: ChildProcess | undefined;
    try {
      await killProcess(redis.process);
      await first.consume('ip:1');
      again = (await startOwnRedis(port)).process;
      const deadline = Date.now() + 5_000;
      while (!logs.entries.some((entry) => entry.message === 'rate limiter Redis back')) {
        if (Date.now() > deadline) throw new Error('the limiter did not reconnect');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Give the second client a moment as well (it reconnects on its own schedule).
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const decisions = [
        await first.consume('ip:3'),
        await second.consume('ip:3'),
        await first.consume('ip:3'),
      ];
      expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, false]);
      expect(logs.entries.filter((entry) => entry.level === 'warn')).toHaveLength(1);
      expect(
        logs.entries.filter((entry) => entry.message === 'rate limiter Redis back'),
      ).toHaveLength(1);
    } finally {
      if (again) await killProcess(again);
      await killProcess(redis.process);
    }
  });

  it('without a Redis URL, then it limits in this process only', async () => {
    const first = await limiter({ redisUrl: undefined, prefix: 'fitnexa_rl', points: 2 });
    const second = await limiter({ redisUrl: undefined, prefix: 'fitnexa_rl', points: 2 });
    expect((await consumeTimes(first, 'ip:1', 3)).map((decision) => decision.allowed)).toEqual([
      true,
      true,
      false,
    ]);
    expect(await second.consume('ip:1')).toEqual({ allowed: true, remaining: 1 });
    await first.reset('ip:1');
    expect(await first.consume('ip:1')).toEqual({ allowed: true, remaining: 1 });
  });
});
