import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, createAccessTokenVerifier } from '../src/auth';

interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', {
    crv: 'Ed25519',
    extractable: true,
  });
  return {
    kid,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' },
  };
}

function sign(key: Key, claims: { role?: string; aud?: string; expiresIn?: string } = {}) {
  return new SignJWT({ role: claims.role ?? 'MEMBER' })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setSubject('6f1c2f0e-8f6a-4a53-9d7c-1c2b3a4d5e6f')
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(claims.aud ?? ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '5m')
    .sign(key.privateKey);
}

describe('access token verification against a JWKS endpoint', () => {
  let server: Server;
  let jwksUrl: string;
  let published: Key[] = [];
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    fetches = 0;
  });

  it('when tokens keep coming with a known key, then the key set is fetched once', async () => {
    const key = await newKey('k1');
    published = [key];
    const verify = createAccessTokenVerifier({ jwksUrl, jwksCooldownMs: 0 });
    for (let i = 0; i < 5; i += 1) {
      await expect(verify(await sign(key))).resolves.toEqual({
        userId: '6f1c2f0e-8f6a-4a53-9d7c-1c2b3a4d5e6f',
        role: 'MEMBER',
        issuedAt: expect.any(Number),
      });
    }
    expect(fetches).toBe(1);
  });

  it('when a verified token expires, then it is refused although it was accepted a moment before', async () => {
    const key = await newKey('short');
    published = [key];
    const verify = createAccessTokenVerifier({ jwksUrl, jwksCooldownMs: 0 });
    const token = await sign(key, { expiresIn: '2s' });
    await expect(verify(token)).resolves.toMatchObject({ role: 'MEMBER' });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(verify(token)).rejects.toThrow(/expired/);
  });

  it('when identity starts signing with a new key, then the key set is fetched again and the token verifies', async () => {
    const oldKey = await newKey('old');
    published = [oldKey];
    const verify = createAccessTokenVerifier({ jwksUrl, jwksCooldownMs: 0 });
    await verify(await sign(oldKey));

    const newKeyPair = await newKey('new');
    published = [newKeyPair, oldKey];
    await expect(verify(await sign(newKeyPair))).resolves.toMatchObject({ role: 'MEMBER' });
    expect(fetches).toBe(2);
  });

  it('when a new key signs moments after the key set was fetched (within the cooldown), then its tokens wait for the cooldown and verify, sharing one fetch, and unknown keys are still refused', async () => {
    const oldKey = await newKey('before');
    published = [oldKey];
    const verify = createAccessTokenVerifier({ jwksUrl, jwksCooldownMs: 300 });
    await verify(await sign(oldKey));

    const rotated = await newKey('rotated');
    const unknown = await newKey('never-published');
    published = [rotated, oldKey];
    const results = await Promise.allSettled([
      ...[1, 2, 3].map(async () => verify(await sign(rotated))),
      verify(await sign(unknown)),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect(fetches).toBe(2);
  });

  it.each([
    ['expired', async (key: Key) => sign(key, { expiresIn: '-1m' }), /expired/],
    ['for another audience', async (key: Key) => sign(key, { aud: 'someone-else' }), /not valid/],
    [
      'with a role that does not exist',
      async (key: Key) => sign(key, { role: 'SUPERUSER' }),
      /invalid claims/,
    ],
  ])('when a token is %s, then it is UNAUTHENTICATED', async (_, make, message) => {
    const key = await newKey('k2');
    published = [key];
    const verify = createAccessTokenVerifier({ jwksUrl });
    await expect(verify(await make(key))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
      message: expect.stringMatching(message),
    });
  });

  it('when a token is HMAC-signed with the public key as the secret, then it is rejected', async () => {
    const key = await newKey('k3');
    published = [key];
    const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const forged = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject('x')
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setExpirationTime('5m')
      .setIssuedAt()
      .sign(secret);
    await expect(createAccessTokenVerifier({ jwksUrl })(forged)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
