import { randomUUID } from 'node:crypto';
import { createRevocationStore } from '@fitnexa/shared/auth/revocations';
import {
  killProcess,
  quietLogger,
  startOwnRedis,
  testTokenIssuer,
  untilPasses,
} from '@fitnexa/shared/testing';
import { startTestGateway } from './kit';

// The gateway refuses tokens identity revoked, read from the revocation store (Redis) per request.

it('when a user is revoked, then the gateway refuses their token; while Redis is away it keeps refusing it, lets others through and reports revocations degraded', async () => {
  const redis = await startOwnRedis();
  const logger = quietLogger('gateway');
  const revocations = await createRevocationStore({
    url: redis.url,
    prefix: `revocations_${randomUUID()}`,
    logger,
  });
  const issuer = await testTokenIssuer();
  const gateway = await startTestGateway({
    verifyAccessToken: issuer.verify,
    logger,
    rateLimits: false,
    revocations,
  });
  const ask = async (token: string) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  try {
    const [revoked, kept, unknown] = [randomUUID(), randomUUID(), randomUUID()];
    const tokenOf = (userId: string) => issuer.tokenFor({ userId, role: 'MEMBER' });
    const revokedToken = await tokenOf(revoked);
    const keptToken = await tokenOf(kept);
    expect((await ask(revokedToken)).status).toBe(200);
    expect((await ask(keptToken)).status).toBe(200);

    await revocations.revoke(revoked);

    await untilPasses(async () => {
      const refused = await ask(revokedToken);
      expect(refused.status).toBe(401);
      expect(refused.body.errors[0]).toMatchObject({
        message: expect.stringContaining('revoked'),
        extensions: { code: 'UNAUTHENTICATED' },
      });
    }, 1_000);

    await killProcess(redis.process);

    expect((await ask(revokedToken)).status).toBe(401);
    expect((await ask(keptToken)).status).toBe(200);
    expect((await ask(await tokenOf(unknown))).status).toBe(200);
    const ready = await fetch(gateway.url.replace('/graphql', '/health/ready'));
    expect(((await ready.json()) as { degraded: string[] }).degraded).toContain('revocations');
  } finally {
    await gateway.stop();
    await revocations.close();
    await killProcess(redis.process);
  }
});
