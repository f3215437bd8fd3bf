import { gql } from '@apollo/client';
import {
  createFitnexaClient,
  errorCodeOf,
  graphQLErrorsOf,
  LoginDocument,
  MeDocument,
  memoryTokenStore,
  RefreshTokenDocument,
} from '@fitnexa/client';
import { print } from 'graphql';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@fitnexa/shared/auth';
import { generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { newMember, startGraph, type Graph } from './support';

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(() => graph.stop());

const meQuery = { query: '{ me { id email } }' };

describe('signing up and in through the gateway', () => {
  it('when a member registers, logs in and asks for me with the real token, then they get their own profile', async () => {
    const member = newMember();
    const registration = await graph.client().register(member);
    expect(registration.email).toBe(member.email);

    const client = graph.client();
    const user = await client.logIn({
      email: member.email.toUpperCase(),
      password: member.password,
    });
    expect(user.id).toBe(registration.id);
    const me = await client.me();
    expect(me).toMatchObject({ id: registration.id, email: member.email, role: 'MEMBER' });
  });

  it('when an email is already registered, then registering it again is BAD_USER_INPUT', async () => {
    const member = newMember();
    await graph.client().register(member);
    const error = await graph
      .client()
      .register({ ...member, displayName: 'Someone else' })
      .catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('BAD_USER_INPUT');
    expect(graphQLErrorsOf(error)[0]?.message).toContain('already registered');
  });

  it.each([
    ['too short', 'abc123'],
    ['without a digit', 'onlyletters-here'],
    ['without a letter', '1234567890123'],
  ])(
    'when the password is %s, then registering is BAD_USER_INPUT naming the password',
    async (_, password) => {
      const error = await graph
        .client()
        .register(newMember({ password }))
        .catch((e: unknown) => e);
      expect(errorCodeOf(error)).toBe('BAD_USER_INPUT');
      expect(graphQLErrorsOf(error)[0]?.extensions?.['problems']).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'password' })]),
      );
    },
  );

  it('when the password is wrong, then login is UNAUTHENTICATED and says nothing about which part was wrong', async () => {
    const member = newMember();
    await graph.client().register(member);
    const wrongPassword = await graph
      .client()
      .logIn({ email: member.email, password: 'wrong password 1' })
      .catch((e) => e);
    const unknownEmail = await graph
      .client()
      .logIn({ email: 'nobody@example.test', password: member.password })
      .catch((e) => e);
    expect(errorCodeOf(wrongPassword)).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(unknownEmail)).toBe('UNAUTHENTICATED');
    expect(graphQLErrorsOf(unknownEmail)[0]?.message).toBe(
      graphQLErrorsOf(wrongPassword)[0]?.message,
    );
  });

  it('when someone asks for me without a token, then it is UNAUTHENTICATED', async () => {
    const { body } = await graph.post(meQuery);
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('when another user reads a profile, then its email is hidden', async () => {
    const alice = graph.client();
    const aliceUser = await alice.register(newMember());
    const bob = graph.client();
    await bob.register(newMember());
    const { data } = await bob.apollo.query({
      query: gql`
        query User($id: ID!) {
          user(id: $id) {
            id
            email
            displayName
          }
        }
      `,
      variables: { id: aliceUser.id },
    });
    expect(data).toEqual({
      user: {
        __typename: 'User',
        id: aliceUser.id,
        email: null,
        displayName: aliceUser.displayName,
      },
    });
  });
});

describe('refresh sessions', () => {
  async function signIn() {
    const member = newMember();
    await graph.client().register(member);
    const { body } = await graph.post({
      query: print(LoginDocument),
      operationName: 'Login',
      variables: { input: { email: member.email, password: member.password } },
    });
    return body.data.login as { accessToken: string; refreshToken: string };
  }
  const refresh = (refreshToken: string) =>
    graph.post({
      query: print(RefreshTokenDocument),
      operationName: 'RefreshToken',
      variables: { refreshToken },
    });

  it('when a refresh token is exchanged, then a new pair comes back and the new access token works', async () => {
    const first = await signIn();
    const { body } = await refresh(first.refreshToken);
    const second = body.data.refreshToken;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const me = await graph.post(meQuery, { authorization: `Bearer ${second.accessToken}` });
    expect(me.body.data.me.id).toBe(decodeJwt(first.accessToken).sub);
  });

  it('when a spent refresh token is presented again, then the whole session is revoked', async () => {
    const first = await signIn();
    const second = (await refresh(first.refreshToken)).body.data.refreshToken;

    const reuse = await refresh(first.refreshToken);
    expect(reuse.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // The thief's replay also signs out whoever held the newer token.
    const afterReuse = await refresh(second.refreshToken);
    expect(afterReuse.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('when a member logs out, then their refresh token no longer works', async () => {
    const client = createFitnexaClient({ url: graph.gateway.url, tokenStore: memoryTokenStore() });
    const member = newMember();
    await client.register(member);
    const session = (
      await graph.post({
        query: print(LoginDocument),
        operationName: 'Login',
        variables: { input: { email: member.email, password: member.password } },
      })
    ).body.data.login;
    const logout = await graph.post({
      query: 'mutation Logout($t: String!) { logout(refreshToken: $t) }',
      variables: { t: session.refreshToken },
    });
    expect(logout.body.data.logout).toBe(true);
    expect((await refresh(session.refreshToken)).body.errors[0].extensions.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('the gateway rejects bad tokens before any subgraph sees them', () => {
  let valid: string;
  beforeAll(async () => {
    const member = newMember();
    await graph.client().register(member);
    valid = (
      await graph.post({
        query: print(LoginDocument),
        operationName: 'Login',
        variables: { input: { email: member.email, password: member.password } },
      })
    ).body.data.login.accessToken;
  });

  async function expectRejected(token: string) {
    const { status, body } = await graph.post(
      { query: print(MeDocument), operationName: 'Me' },
      { authorization: `Bearer ${token}` },
    );
    expect(status).toBe(401);
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
  }

  it('when the signature is forged, then 401', async () => {
    const [header, payload] = valid.split('.');
    const claims = { ...decodeJwt(valid), role: 'ADMIN' };
    const forgedPayload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect(forgedPayload).not.toBe(payload);
    await expectRejected(`${header}.${forgedPayload}.${valid.split('.')[2]}`);
  });

  it('when the token is expired, then 401', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    // Signed by the right issuer's format but expired; rejected either for expiry or for the key.
    const expired = await new SignJWT({ role: 'MEMBER' })
      .setProtectedHeader({ alg: 'EdDSA', kid: decodeProtectedHeader(valid).kid! })
      .setSubject(decodeJwt(valid).sub!)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
      .sign(privateKey);
    await expectRejected(expired);
  });

  it('when the token uses alg none, then 401', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = valid.split('.')[1];
    await expectRejected(`${header}.${payload}.`);
  });

  it('when the token is signed with a key identity never published, then 401', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    const token = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'attacker-key' })
      .setSubject(decodeJwt(valid).sub!)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    await expectRejected(token);
  });

  it('when the header is not a bearer token, then 401', async () => {
    const { status } = await graph.post(meQuery, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(status).toBe(401);
  });
});

describe('signing key rotation while the graph runs', () => {
  it('when identity rotates its key with immediate effect, then tokens of the new key work through the gateway and a subgraph whose key sets predate it, and tokens of the old key still do', async () => {
    const dashboard = '{ me { id workoutSessions(first: 1) { edges { node { id } } } } }';
    const before = await graph.signUp();
    // The gateway and workout fetch identity's key set now, before the rotation.
    await graph.as(before.token, dashboard);

    const rotated = await graph.identity.signingKeys.rotate({ immediately: true });
    const after = await graph.signUp();
    expect(decodeProtectedHeader(after.token).kid).toBe(rotated.kid);

    expect((await graph.as(after.token, dashboard)).me.id).toBe(after.id);
    expect((await graph.as(before.token, dashboard)).me.id).toBe(before.id);
  });
});
