import { SignJWT, UnsecuredJWT } from 'jose';
import {
  createServiceTokenIssuer,
  createServiceTokenVerifier,
  SERVICE_TOKEN_TTL_SECONDS,
} from '../src/auth';
import { ErrorCode, ServiceAuthenticationError } from '../src/errors';
import { loadConfig, subgraphConfigSchema } from '../src/config';

const SECRET = 'a-secret-of-the-tests-at-least-32-characters';
const OTHER_SECRET = 'another-secret-nobody-shares-with-the-gym-42';

const gymVerifier = (now?: () => number) =>
  createServiceTokenVerifier({ secret: SECRET, audience: 'gym', callers: [], now });

/** The message a verifier refuses `token` with (after checking it is SERVICE_UNAUTHENTICATED). */
async function refusal(verify: ReturnType<typeof gymVerifier>, token: string | undefined) {
  const error = await verify(token).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServiceAuthenticationError);
  expect((error as ServiceAuthenticationError).code).toBe(ErrorCode.SERVICE_UNAUTHENTICATED);
  return (error as Error).message;
}

describe('service credentials', () => {
  it("when the gateway's issuer signs for gym, then gym's verifier says the gateway sent it", async () => {
    const issuer = createServiceTokenIssuer({ secret: SECRET, issuer: 'gateway' });
    await expect(gymVerifier()(await issuer.tokenFor('gym'))).resolves.toBe('gateway');
  });

  it('when asked again within half the lifetime, then the issuer hands out the same token; after it, a new one', async () => {
    let now = Date.parse('2026-11-29T12:00:00Z');
    const issuer = createServiceTokenIssuer({ secret: SECRET, issuer: 'gateway', now: () => now });
    const first = await issuer.tokenFor('gym');
    now += ((SERVICE_TOKEN_TTL_SECONDS * 1000) / 2) * 0.9;
    expect(await issuer.tokenFor('gym')).toBe(first);
    expect(await issuer.tokenFor('squad')).not.toBe(first);
    now += ((SERVICE_TOKEN_TTL_SECONDS * 1000) / 2) * 0.2;
    const renewed = await issuer.tokenFor('gym');
    expect(renewed).not.toBe(first);
    // The renewed one outlives the first: it is good well after the first one expired.
    now += SERVICE_TOKEN_TTL_SECONDS * 1000 * 0.9;
    await expect(gymVerifier(() => now)(renewed)).resolves.toBe('gateway');
  });

  it('when there is no credential, then it is refused saying the header is missing', async () => {
    expect(await refusal(gymVerifier(), undefined)).toMatch(/x-fitnexa-service is missing/);
  });

  it('when the credential is signed with another secret, then it is refused', async () => {
    const forger = createServiceTokenIssuer({ secret: OTHER_SECRET, issuer: 'gateway' });
    expect(await refusal(gymVerifier(), await forger.tokenFor('gym'))).toMatch(/not valid/);
  });

  it('when the credential has expired, then it is refused, even after an earlier check accepted it', async () => {
    let now = Date.parse('2026-11-29T12:00:00Z');
    const issuer = createServiceTokenIssuer({ secret: SECRET, issuer: 'gateway', now: () => now });
    const verify = gymVerifier(() => now);
    const token = await issuer.tokenFor('gym');
    await expect(verify(token)).resolves.toBe('gateway');
    now += (SERVICE_TOKEN_TTL_SECONDS + 60) * 1000;
    expect(await refusal(verify, token)).toMatch(/expired/);
  });

  it('when the credential is meant for another subgraph, then it is refused', async () => {
    const issuer = createServiceTokenIssuer({ secret: SECRET, issuer: 'gateway' });
    expect(await refusal(gymVerifier(), await issuer.tokenFor('squad'))).toMatch(
      /not meant for gym/,
    );
  });

  it('when a service that may not call gym sends a valid credential, then it is refused; squad accepts messaging', async () => {
    const messaging = createServiceTokenIssuer({ secret: SECRET, issuer: 'messaging' });
    expect(await refusal(gymVerifier(), await messaging.tokenFor('gym'))).toMatch(
      /messaging may not call gym/,
    );
    const squad = createServiceTokenVerifier({
      secret: SECRET,
      audience: 'squad',
      callers: ['messaging'],
    });
    await expect(squad(await messaging.tokenFor('squad'))).resolves.toBe('messaging');
  });

  it('when the credential uses another algorithm (none, HS512), then it is refused though the secret is right', async () => {
    const unsigned = new UnsecuredJWT({})
      .setIssuer('gateway')
      .setAudience('gym')
      .setExpirationTime('5m')
      .encode();
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuer('gateway')
      .setAudience('gym')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expect(await refusal(gymVerifier(), unsigned)).toMatch(/not valid/);
    expect(await refusal(gymVerifier(), hs512)).toMatch(/not valid/);
  });

  it('when production runs with the development secret or a short one, then the config is refused', () => {
    const schema = subgraphConfigSchema({});
    expect(() => loadConfig('gym', schema, { NODE_ENV: 'production' })).toThrow(
      /SERVICE_TOKEN_SECRET: SERVICE_TOKEN_SECRET is required in production/,
    );
    expect(() => loadConfig('gym', schema, { SERVICE_TOKEN_SECRET: 'short' })).toThrow(
      /SERVICE_TOKEN_SECRET/,
    );
    expect(
      loadConfig('gym', schema, { NODE_ENV: 'production', SERVICE_TOKEN_SECRET: OTHER_SECRET })
        .SERVICE_TOKEN_SECRET,
    ).toBe(OTHER_SECRET);
  });
});
