import { randomUUID } from 'node:crypto';
import {
  capturingLogger,
  codeOf,
  dropServiceSchema,
  gatewayCredentialHeaders,
  graphqlClient,
  type GraphQLCall,
  testDatabaseUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { startIdentity, type IdentityServer } from '../src';
import { identitySettings } from './harness';

// Component tests: identity alone, in-process on port 0, on the real PostgreSQL, over HTTP.

let identity: IdentityServer;
const schema = uniqueName('fitnexa_identity');

beforeAll(async () => {
  identity = await startIdentity(identitySettings(schema, { SEED_DEMO_DATA: true }));
});
afterAll(async () => {
  await identity.stop();
  await dropServiceSchema(testDatabaseUrl(), schema);
});

const graphql: GraphQLCall = (query, variables, token) =>
  graphqlClient(identity.url, { service: 'identity' })(query, variables, token);

let counter = 0;
async function signUp(role?: 'ADMIN') {
  counter += 1;
  const credentials = {
    email: `user${counter}.${Date.now()}@example.test`,
    password: 'correct horse 42',
  };
  const result = await graphql(
    'mutation R($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
    { input: { ...credentials, displayName: `User ${counter}` } },
  );
  const session = {
    ...credentials,
    id: result.data.register.user.id as string,
    token: result.data.register.accessToken as string,
  };
  if (role !== 'ADMIN') return session;
  const admin = await signIn('admin@fitnexa.dev', 'fitnexa-demo-1');
  await graphql(
    'mutation S($id: ID!) { setUserRole(userId: $id, role: ADMIN) { id } }',
    { id: session.id },
    admin,
  );
  return { ...session, token: await signIn(credentials.email, credentials.password) };
}

async function signIn(email: string, password: string): Promise<string> {
  const result = await graphql(
    'mutation L($input: LoginInput!) { login(input: $input) { accessToken } }',
    {
      input: { email, password },
    },
  );
  return result.data.login.accessToken;
}

describe('roles', () => {
  it('when a member asks for the list of users, then it is FORBIDDEN; an admin gets it page by page', async () => {
    const member = await signUp();
    expect(codeOf(await graphql('{ users { edges { node { id } } } }', {}, member.token))).toBe(
      'FORBIDDEN',
    );

    const admin = await signIn('admin@fitnexa.dev', 'fitnexa-demo-1');
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await graphql(
        'query P($after: String) { users(first: 2, after: $after) { edges { node { id email } } pageInfo { hasNextPage endCursor } } }',
        { after },
        admin,
      );
      seen.push(...page.data.users.edges.map((edge: any) => edge.node.id));
      // Admins see every email.
      expect(page.data.users.edges.every((edge: any) => edge.node.email)).toBe(true);
      if (!page.data.users.pageInfo.hasNextPage) break;
      after = page.data.users.pageInfo.endCursor;
    }
    expect(seen).toContain(member.id);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('when a page size is out of range, then it is BAD_USER_INPUT', async () => {
    const admin = await signIn('admin@fitnexa.dev', 'fitnexa-demo-1');
    expect(codeOf(await graphql('{ users(first: 1000) { edges { cursor } } }', {}, admin))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('when a member tries to make themselves admin, then it is FORBIDDEN and their role is unchanged', async () => {
    const member = await signUp();
    const result = await graphql(
      'mutation S($id: ID!) { setUserRole(userId: $id, role: ADMIN) { role } }',
      { id: member.id },
      member.token,
    );
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect((await graphql('{ me { role } }', {}, member.token)).data.me.role).toBe('MEMBER');
  });

  it('when an admin promotes a member to coach, then the next token carries the new role', async () => {
    const admin = await signUp('ADMIN');
    const member = await signUp();
    const promoted = await graphql(
      'mutation S($id: ID!) { setUserRole(userId: $id, role: COACH) { role } }',
      { id: member.id },
      admin.token,
    );
    expect(promoted.data.setUserRole.role).toBe('COACH');
    const token = await signIn(member.email, member.password);
    expect((await graphql('{ me { role } }', {}, token)).data.me.role).toBe('COACH');
  });
});

describe('profile and account', () => {
  it('when a member renames themselves, then me shows the new name; an empty name is BAD_USER_INPUT', async () => {
    const member = await signUp();
    const renamed = await graphql(
      'mutation { updateProfile(input: { displayName: "  Renamed  " }) { displayName } }',
      {},
      member.token,
    );
    expect(renamed.data.updateProfile.displayName).toBe('Renamed');
    expect(
      codeOf(
        await graphql(
          'mutation { updateProfile(input: { displayName: " " }) { id } }',
          {},
          member.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('when someone without a token updates a profile, then it is UNAUTHENTICATED', async () => {
    expect(
      codeOf(await graphql('mutation { updateProfile(input: { displayName: "X" }) { id } }')),
    ).toBe('UNAUTHENTICATED');
  });

  it('when a member deletes their account with the wrong password, then nothing is deleted', async () => {
    const member = await signUp();
    const result = await graphql(
      'mutation { deleteAccount(password: "not it 123") }',
      {},
      member.token,
    );
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect((await graphql('{ me { id } }', {}, member.token)).data.me.id).toBe(member.id);
  });

  it('when a member deletes their account, then they can no longer sign in and their profile is gone', async () => {
    const member = await signUp();
    const result = await graphql(
      'mutation D($p: String!) { deleteAccount(password: $p) }',
      { p: member.password },
      member.token,
    );
    expect(result.data.deleteAccount).toBe(true);
    const login = await graphql(
      'mutation L($input: LoginInput!) { login(input: $input) { accessToken } }',
      {
        input: { email: member.email, password: member.password },
      },
    );
    expect(codeOf(login)).toBe('UNAUTHENTICATED');
    expect(
      (await graphql('query U($id: ID!) { user(id: $id) { id } }', { id: member.id })).data.user,
    ).toBeNull();
  });

  it('when users are resolved as federation references, then unknown and malformed ids come back null', async () => {
    const member = await signUp();
    const result = await graphql(
      'query E($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }',
      {
        r: [
          { __typename: 'User', id: member.id },
          { __typename: 'User', id: 'not-a-uuid' },
          { __typename: 'User', id: '00000000-0000-4000-8000-000000000000' },
        ],
      },
    );
    expect(result.data._entities).toEqual([
      { id: member.id, displayName: expect.any(String) },
      null,
      null,
    ]);
  });
});

describe('batching', () => {
  it('when a query resolves 10 or 150 user references, then each takes one SQL statement', async () => {
    const logs = capturingLogger('identity');
    const batchSchema = uniqueName('fitnexa_identity');
    const counted = await startIdentity(
      identitySettings(batchSchema, { SEED_DEMO_DATA: true, logger: logs.logger }),
    );
    try {
      const login = await fetch(counted.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(await gatewayCredentialHeaders('identity')),
        },
        body: JSON.stringify({
          query:
            'mutation { login(input: { email: "admin@fitnexa.dev", password: "fitnexa-demo-1" }) { user { id } } }',
        }),
      });
      const adminId = ((await login.json()) as any).data.login.user.id as string;
      const statementsFor = async (count: number) => {
        // Distinct keys (one real user, the rest unknown), so the loader cannot answer from its cache.
        const ids = [adminId, ...Array.from({ length: count - 1 }, () => randomUUID())];
        const representations = ids.map((id) => ({ __typename: 'User', id }));
        const before = logs.entries.filter((entry) => entry.message === 'sql').length;
        const response = await fetch(counted.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(await gatewayCredentialHeaders('identity')),
          },
          body: JSON.stringify({
            query:
              'query E($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }',
            variables: { r: representations },
          }),
        });
        const body = (await response.json()) as { data: { _entities: ({ id: string } | null)[] } };
        expect(body.data._entities).toHaveLength(count);
        expect(body.data._entities[0]).toEqual({ id: adminId });
        return logs.entries.filter((entry) => entry.message === 'sql').length - before;
      };
      expect(await statementsFor(10)).toBe(1);
      expect(await statementsFor(150)).toBe(1);
    } finally {
      await counted.stop();
      await dropServiceSchema(testDatabaseUrl(), batchSchema);
    }
  });
});
