import { createAccessTokenVerifier } from '@fitnexa/shared/auth';
import { ConfigError } from '@fitnexa/shared/config';
import {
  dropServiceSchema,
  graphqlClient,
  quietLogger,
  sqlInSchema,
  testDatabaseUrl,
  uniqueName,
  untilPasses,
} from '@fitnexa/shared/testing';
import { compactDecrypt, decodeProtectedHeader, type JWK } from 'jose';
import {
  loadIdentityConfig,
  rotateSigningKey,
  startIdentity,
  type IdentityOptions,
  type IdentityServer,
} from '../src';
import { identitySettings } from './harness';
import { DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY } from '../src/config';

// identity's signing keys on the real PostgreSQL: rotation, what verifiers see, encryption at rest.
// Time is moved with SQL on the stored keys (activation, retirement) rather than waited for.

const ENCRYPTION_KEY = Buffer.from('k'.repeat(32)).toString('base64');
const OTHER_ENCRYPTION_KEY = Buffer.from('o'.repeat(32)).toString('base64');
const TTL_SECONDS = 60;

const started: { schema: string; servers: IdentityServer[] }[] = [];

/** identity on a fresh schema (or on `schema`, as another instance of the same service). */
async function start(overrides: Partial<IdentityOptions> & { schema?: string } = {}) {
  const schema = overrides.schema ?? uniqueName('fitnexa_identity');
  const server = await startIdentity(
    identitySettings(schema, {
      ACCESS_TOKEN_TTL_SECONDS: TTL_SECONDS,
      SIGNING_KEY_ENCRYPTION_KEY: ENCRYPTION_KEY,
      SIGNING_KEY_ROTATION_DAYS: 30,
      ...overrides,
      schema,
    }),
  );
  let entry = started.find((candidate) => candidate.schema === schema);
  if (!entry) started.push((entry = { schema, servers: [] }));
  entry.servers.push(server);
  const graphql = graphqlClient(server.url, { service: 'identity' });
  let counter = 0;
  return {
    server,
    schema,
    sql: sqlInSchema(schema),
    graphql,
    /** A new account's access token. */
    async token(): Promise<string> {
      counter += 1;
      const result = await graphql(
        'mutation R($input: RegisterInput!) { register(input: $input) { accessToken } }',
        {
          input: {
            email: `keys${counter}.${Date.now()}.${server.port}@example.test`,
            password: 'correct horse 42',
            displayName: 'Key Tester',
          },
        },
      );
      return result.data.register.accessToken as string;
    },
    async publishedKids(): Promise<string[]> {
      const response = await fetch(server.jwksUrl);
      const body = (await response.json()) as { keys: JWK[] };
      return body.keys.map((key) => key.kid!).sort();
    },
  };
}

afterAll(async () => {
  for (const { schema, servers } of started) {
    for (const server of servers) await server.stop();
    await dropServiceSchema(testDatabaseUrl(), schema);
  }
});

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

describe('signing key rotation', () => {
  it('when the key rotates, then the new key is published at once, signs once it activates, and the old one stays published (its tokens verifying) until they have all expired', async () => {
    const identity = await start();
    const before = await identity.token();
    const oldKid = kidOf(before);
    // A verifier as the gateway and the subgraphs build one, whose cached key set predates the rotation.
    const gatewayVerifier = createAccessTokenVerifier({ jwksUrl: identity.server.jwksUrl });
    await expect(gatewayVerifier(before)).resolves.toMatchObject({ role: 'MEMBER' });

    const rotated = await identity.server.signingKeys.rotate();
    expect(rotated.created).toBe(true);
    expect(rotated.kid).not.toBe(oldKid);
    expect(rotated.activatesAt.getTime()).toBeGreaterThan(Date.now());
    expect(await identity.publishedKids()).toEqual([oldKid, rotated.kid].sort());
    // Published ahead of time: tokens are still signed with the old key until it activates.
    expect(kidOf(await identity.token())).toBe(oldKid);

    // Its activation time arrives: now, still later than the old key's (a second ago could be
    // before it on a fast run, and the last activated key signs).
    await identity.sql(`UPDATE "SigningKey" SET "activatesAt" = now() WHERE kid = $1`, [
      rotated.kid,
    ]);
    await identity.server.signingKeys.reload();
    const after = await identity.token();
    expect(kidOf(after)).toBe(rotated.kid);
    expect(await identity.publishedKids()).toEqual([oldKid, rotated.kid].sort());

    // The same verifier, not recreated, takes the new key id; the old key's token still verifies.
    await expect(gatewayVerifier(after)).resolves.toMatchObject({ role: 'MEMBER' });
    const freshVerifier = createAccessTokenVerifier({ jwksUrl: identity.server.jwksUrl });
    await expect(freshVerifier(before)).resolves.toMatchObject({ role: 'MEMBER' });
    const me = await identity.graphql('{ me { id } }', {}, before);
    expect(me.errors).toBeUndefined();

    // The old key leaves no earlier than one token lifetime after the new one activated.
    const [old] = await identity.sql(
      `SELECT "retiredAt" >= (SELECT "activatesAt" FROM "SigningKey" WHERE kid = $2) + $3 * interval '1 second' AS "outlivesTokens"
       FROM "SigningKey" WHERE kid = $1`,
      [oldKid, rotated.kid, TTL_SECONDS],
    );
    expect(old.outlivesTokens).toBe(true);

    // That time arrives: the old key is no longer published, then deleted, and its tokens fail.
    await identity.sql(
      `UPDATE "SigningKey" SET "retiredAt" = now() - interval '1 second' WHERE kid = $1`,
      [oldKid],
    );
    await identity.server.signingKeys.maintain();
    await identity.server.signingKeys.reload();
    expect(await identity.publishedKids()).toEqual([rotated.kid]);
    expect(await identity.sql('SELECT kid FROM "SigningKey"')).toEqual([{ kid: rotated.kid }]);
    const lateVerifier = createAccessTokenVerifier({ jwksUrl: identity.server.jwksUrl });
    await expect(lateVerifier(before)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(lateVerifier(after)).resolves.toMatchObject({ role: 'MEMBER' });
  }, 60_000);

  it('when the newest key is older than SIGNING_KEY_ROTATION_DAYS and several instances check at once, then exactly one new key is added', async () => {
    const first = await start({ SIGNING_KEY_ROTATION_DAYS: 7 });
    const second = await start({ schema: first.schema, SIGNING_KEY_ROTATION_DAYS: 7 });
    const [current] = await first.sql('SELECT kid FROM "SigningKey"');
    await first.sql(`UPDATE "SigningKey" SET "createdAt" = now() - interval '8 days'`);

    await Promise.all([
      first.server.signingKeys.maintain(),
      second.server.signingKeys.maintain(),
      first.server.signingKeys.maintain(),
      second.server.signingKeys.maintain(),
    ]);

    const keys = await first.sql(
      'SELECT kid, "activatesAt" > now() AS pending FROM "SigningKey" ORDER BY "createdAt"',
    );
    expect(keys).toEqual([
      { kid: current.kid, pending: false },
      { kid: expect.any(String), pending: true },
    ]);
    // Each instance publishes the new key after its next reload.
    await second.server.signingKeys.reload();
    expect(await second.publishedKids()).toEqual([keys[0].kid, keys[1].kid].sort());
  }, 60_000);

  it('when two rotations are asked for at once (npm run keys:rotate twice), then one new key is added and both report it', async () => {
    const identity = await start();
    const rotations = await Promise.all([
      identity.server.signingKeys.rotate(),
      rotateSigningKey({
        DATABASE_URL: testDatabaseUrl(),
        DATA_DIR: 'memory://',
        schema: identity.schema,
        logger: quietLogger('identity'),
        ACCESS_TOKEN_TTL_SECONDS: TTL_SECONDS,
        SIGNING_KEY_ENCRYPTION_KEY: ENCRYPTION_KEY,
      }),
    ]);
    expect(rotations.filter((rotation) => rotation.created)).toHaveLength(1);
    expect(rotations[0].kid).toBe(rotations[1].kid);
    expect(await identity.sql('SELECT count(*)::int AS n FROM "SigningKey"')).toEqual([{ n: 2 }]);
  }, 60_000);

  it('when another instance rotates with immediate effect, then this instance accepts its tokens at once and signs with the new key after its next check', async () => {
    const first = await start();
    const second = await start({ schema: first.schema });
    const rotated = await first.server.signingKeys.rotate({ immediately: true });
    const token = await first.token();
    expect(kidOf(token)).toBe(rotated.kid);

    const me = await second.graphql('{ me { id } }', {}, token);
    expect(me.errors).toBeUndefined();
    await second.server.signingKeys.maintain();
    await second.server.signingKeys.reload();
    expect(kidOf(await second.token())).toBe(rotated.kid);
  }, 60_000);

  it("when another instance rotates with immediate effect, then this instance's JWKS serves the new key within seconds, before its next check", async () => {
    const first = await start();
    const second = await start({ schema: first.schema });
    const rotated = await first.server.signingKeys.rotate({ immediately: true });
    // Verifiers behind a load balancer may fetch the key set from either instance.
    await untilPasses(async () => expect(await second.publishedKids()).toContain(rotated.kid));
  }, 60_000);
});

describe('signing keys at rest', () => {
  it('when a key is stored, then its private half is a JWE that only SIGNING_KEY_ENCRYPTION_KEY opens', async () => {
    const identity = await start();
    const [row] = await identity.sql('SELECT kid, "privateKey", "publicJwk" FROM "SigningKey"');
    expect(row.privateKey).not.toContain('"d"');
    expect(decodeProtectedHeader(row.privateKey)).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
    const { plaintext } = await compactDecrypt(
      row.privateKey,
      new Uint8Array(Buffer.from(ENCRYPTION_KEY, 'base64')),
    );
    const jwk = JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: row.kid, x: row.publicJwk.x });
    expect(typeof jwk.d).toBe('string');
  }, 60_000);

  it('when identity starts with another SIGNING_KEY_ENCRYPTION_KEY than its keys were stored with, then it refuses to start and says why', async () => {
    const identity = await start();
    await expect(
      start({ schema: identity.schema, SIGNING_KEY_ENCRYPTION_KEY: OTHER_ENCRYPTION_KEY }),
    ).rejects.toThrow(/encrypted with another SIGNING_KEY_ENCRYPTION_KEY/);
    // The attempt changed nothing.
    expect(await identity.sql('SELECT count(*)::int AS n FROM "SigningKey"')).toEqual([{ n: 1 }]);
  }, 60_000);

  it('when a key is stored in plaintext (before encryption existed), then identity encrypts it at start, keeps signing with it, and schedules its replacement', async () => {
    const identity = await start();
    const token = await identity.token();
    const [row] = await identity.sql('SELECT kid, "privateKey" FROM "SigningKey"');
    const { plaintext } = await compactDecrypt(
      row.privateKey,
      new Uint8Array(Buffer.from(ENCRYPTION_KEY, 'base64')),
    );
    // As the migration leaves a key of before: the JWK as JSON text.
    await identity.sql('UPDATE "SigningKey" SET "privateKey" = $1', [
      new TextDecoder().decode(plaintext),
    ]);

    const restarted = await start({ schema: identity.schema });
    const rows = await identity.sql(
      'SELECT kid, "privateKey", "activatesAt" > now() AS pending FROM "SigningKey" ORDER BY "createdAt"',
    );
    expect(rows).toEqual([
      { kid: row.kid, privateKey: expect.stringMatching(/^eyJ/), pending: false },
      { kid: expect.any(String), privateKey: expect.stringMatching(/^eyJ/), pending: true },
    ]);
    expect(kidOf(await restarted.token())).toBe(row.kid);
    expect((await restarted.graphql('{ me { id } }', {}, token)).errors).toBeUndefined();
  }, 60_000);
});

describe('SIGNING_KEY_ENCRYPTION_KEY', () => {
  it('when NODE_ENV is production, then it is required and the development default is refused', () => {
    expect(() => loadIdentityConfig({ NODE_ENV: 'production' })).toThrow(
      /SIGNING_KEY_ENCRYPTION_KEY/,
    );
    expect(() =>
      loadIdentityConfig({
        NODE_ENV: 'production',
        SIGNING_KEY_ENCRYPTION_KEY: DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY,
      }),
    ).toThrow(ConfigError);
    expect(
      loadIdentityConfig({
        NODE_ENV: 'production',
        SIGNING_KEY_ENCRYPTION_KEY: ENCRYPTION_KEY,
        SERVICE_TOKEN_SECRET: 's'.repeat(32),
      }).SIGNING_KEY_ENCRYPTION_KEY,
    ).toBe(ENCRYPTION_KEY);
  });

  it('when it is not 32 bytes of base64, then the config is refused', () => {
    expect(() => loadIdentityConfig({ SIGNING_KEY_ENCRYPTION_KEY: 'secret' })).toThrow(
      /SIGNING_KEY_ENCRYPTION_KEY: 32 bytes/,
    );
  });
});
