import type { Server } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { RunningServer } from '@fitnexa/shared/server';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import { execute, GraphQLError, parse } from 'graphql';
import gql from 'graphql-tag';
import { subgraphsOf } from '../src';
import { splitAnswer } from '../src/plugins/entity-batching';
import { serveStubSubgraph, startTestGateway, SUPERGRAPH_SDL } from './kit';

// Entity fetches to one subgraph that Apollo's plan runs side by side go out as one request, and
// every answer is the one plain Apollo Gateway gives on the same subgraphs. Three stand-in
// subgraphs (identity, squad, gym) execute what they are sent against small subgraph schemas.

interface Received {
  subgraph: string;
  authorization: string | undefined;
  query: string;
}

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';
/** The caller a stand-in subgraph sees: its bearer token's last characters. */
const callerOf = (context: { authorization?: string }) => context.authorization?.slice(-6) ?? '';

const identity = buildSubgraphSchema({
  typeDefs: gql`
    ${FEDERATION}
    type Query {
      me: User!
    }
    type User @key(fields: "id") {
      id: ID!
      displayName: String!
    }
  `,
  resolvers: { Query: { me: () => ({ id: 'u1', displayName: 'Maya' }) } },
});

const squad = buildSubgraphSchema({
  typeDefs: gql`
    ${FEDERATION}
    type User @key(fields: "id") {
      id: ID!
      squads: [Squad!]!
    }
    type Squad @key(fields: "id") {
      id: ID!
      name: String!
      homeGym: Gym
      owner: User!
    }
    type Gym @key(fields: "id", resolvable: false) {
      id: ID!
    }
  `,
  resolvers: {
    User: {
      squads: () => [
        { id: 's1', name: 'Early birds', homeGym: { id: 'g1' }, owner: { id: 'u1' } },
        { id: 's2', name: 'Night owls', homeGym: { id: 'g2' }, owner: { id: 'u2' } },
      ],
    },
  },
});

let failingGym: string | undefined;
const gym = buildSubgraphSchema({
  typeDefs: gql`
    ${FEDERATION}
    type Gym @key(fields: "id") {
      id: ID!
      name: String!
    }
    type User @key(fields: "id") {
      id: ID!
      memberships(status: MembershipStatus): [Membership!]!
    }
    type Membership {
      id: ID!
      status: MembershipStatus!
    }
    enum MembershipStatus {
      ACTIVE
      FROZEN
      CANCELLED
      EXPIRED
    }
  `,
  resolvers: {
    Gym: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      name: ({ id }: { id: string }, _args: unknown, context: unknown) => {
        if (id === failingGym)
          throw new GraphQLError('the gym is closed', { extensions: { code: 'NOT_FOUND' } });
        return `Gym ${id} for ${callerOf(context as { authorization?: string })}`;
      },
    },
    User: {
      memberships: ({ id }: { id: string }) => [{ id: `m-${id}`, status: 'ACTIVE' }],
    },
  },
});

const schemas = { identity, squad, gym };
let received: Received[] = [];
/** When set, the gym stand-in refuses every request that merges fetches, as a limit would. */
let refuseMerged = false;
let stub: Server;
let ours: RunningServer;
let plain: { url: string; stop(): Promise<void> };
let tokens: [string, string];

beforeAll(async () => {
  let base: string;
  ({ server: stub, base } = await serveStubSubgraph(({ query, variables }, req, res) => {
    const subgraph = (req.url ?? '').slice(1) as keyof typeof schemas;
    received.push({ subgraph, authorization: req.headers.authorization, query });
    res.setHeader('content-type', 'application/json');
    if (refuseMerged && query.includes('b1__entities')) {
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          errors: [{ message: 'too many aliases', extensions: { code: 'BAD_USER_INPUT' } }],
        }),
      );
      return;
    }
    void Promise.resolve(
      execute({
        schema: schemas[subgraph],
        document: parse(query),
        variableValues: variables,
        contextValue: { authorization: req.headers.authorization },
      }),
    ).then((result) => res.end(JSON.stringify(result)));
  }));
  const subgraphUrls = Object.fromEntries(
    subgraphsOf(SUPERGRAPH_SDL).map(({ name }) => [name, `${base}/${name}`]),
  );
  const issuer = await testTokenIssuer();
  tokens = [
    await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' }),
    await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' }),
  ];
  ours = await startTestGateway({
    subgraphUrls,
    verifyAccessToken: issuer.verify,
    rateLimits: false,
  });
  // The reference: plain Apollo Gateway, passing the caller's authorization on.
  const apollo = new ApolloServer<{ authorization?: string }>({
    gateway: new ApolloGateway({
      supergraphSdl: SUPERGRAPH_SDL,
      buildService: ({ name }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url: subgraphUrls[name],
          willSendRequest({ request, context }) {
            if (context.authorization)
              request.http?.headers.set('authorization', context.authorization);
          },
        }),
    }),
    includeStacktraceInErrorResponses: false,
  });
  const { url } = await startStandaloneServer(apollo, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  plain = { url, stop: () => apollo.stop() };
});
afterAll(async () => {
  await ours.stop();
  await plain.stop();
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});
beforeEach(() => {
  received = [];
  refuseMerged = false;
  failingGym = undefined;
});

const SQUADS = `query Squads {
  me { displayName squads { name homeGym { name } owner { memberships { status } } } }
}`;

async function ask(url: string, token: string, query = SQUADS): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

const gymRequests = () => received.filter(({ subgraph }) => subgraph === 'gym');

describe('entity fetches to one subgraph at the same level, batched', () => {
  it('when two entity fetches to the same subgraph run side by side, then the subgraph receives one request and the answer is plain Apollo’s', async () => {
    const answer = await ask(ours.url, tokens[0]);
    expect(gymRequests()).toHaveLength(1);
    expect(gymRequests()[0]!.query).toContain('b0__entities');
    expect(gymRequests()[0]!.query).toContain('b1__entities');

    received = [];
    expect(await ask(plain.url, tokens[0])).toEqual(answer);
    // Plain Apollo sends them one by one.
    expect(gymRequests()).toHaveLength(2);
    expect(answer).toMatchObject({
      data: {
        me: {
          squads: [
            { homeGym: { name: `Gym g1 for ${tokens[0].slice(-6)}` } },
            { homeGym: { name: `Gym g2 for ${tokens[0].slice(-6)}` } },
          ],
        },
      },
    });
  });

  it('when one entity of a batched fetch fails, then its error lands on its own path, the other fetch’s data is whole, and all is as plain Apollo answers it', async () => {
    failingGym = 'g2';
    const answer = (await ask(ours.url, tokens[0])) as {
      errors: { message: string; path: unknown[] }[];
      data: { me: { squads: { owner: unknown }[] } };
    };
    expect(gymRequests()).toHaveLength(1);
    expect(answer.errors.map(({ message, path }) => ({ message, path }))).toEqual([
      { message: 'the gym is closed', path: ['me', 'squads', 1, 'homeGym', 'name'] },
    ]);
    expect(answer.data.me.squads[1]!.owner).toEqual({ memberships: [{ status: 'ACTIVE' }] });
    expect(await ask(plain.url, tokens[0])).toEqual(answer);
  });

  it('when the subgraph refuses the merged request, then each fetch is sent alone and the answer is still plain Apollo’s', async () => {
    refuseMerged = true;
    const answer = await ask(ours.url, tokens[0]);
    // The merged request, then the two fetches on their own.
    expect(gymRequests()).toHaveLength(3);
    expect(answer).not.toHaveProperty('errors');
    expect(await ask(plain.url, tokens[0])).toEqual(answer);
  });

  it('when two callers ask at the same moment, then no subgraph request carries both, and each gets only its own answer', async () => {
    const [first, second] = await Promise.all([ask(ours.url, tokens[0]), ask(ours.url, tokens[1])]);
    for (const { authorization } of gymRequests()) {
      expect([`Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`]).toContain(authorization);
    }
    expect(gymRequests()).toHaveLength(2);
    expect(JSON.stringify(first)).toContain(tokens[0].slice(-6));
    expect(JSON.stringify(first)).not.toContain(tokens[1].slice(-6));
    expect(JSON.stringify(second)).toContain(tokens[1].slice(-6));
    expect(JSON.stringify(second)).not.toContain(tokens[0].slice(-6));
  });
});

describe('a merged answer split back per fetch', () => {
  const entities = { b0__entities: [{ name: 'a' }, null], b1__entities: [{ name: 'b' }] };

  it('when an error names an entity of one fetch, then only that fetch gets it, on its own _entities path', () => {
    expect(
      splitAnswer(2, {
        data: entities,
        errors: [{ message: 'closed', path: ['b0__entities', 1, 'name'] }],
      }),
    ).toEqual([
      {
        data: { _entities: [{ name: 'a' }, null] },
        errors: [{ message: 'closed', path: ['_entities', 1, 'name'] }],
      },
      { data: { _entities: [{ name: 'b' }] } },
    ]);
  });

  it('when the answer has no data, an error on _entities itself or without a path, a fetch missing, or malformed errors, then it is not split (each fetch is sent alone)', () => {
    expect(splitAnswer(2, { data: null, errors: [{ message: 'refused' }] })).toBeUndefined();
    expect(
      splitAnswer(2, { data: entities, errors: [{ message: 'x', path: ['b1__entities'] }] }),
    ).toBeUndefined();
    expect(splitAnswer(2, { data: entities, errors: [{ message: 'x' }] })).toBeUndefined();
    expect(splitAnswer(3, { data: entities })).toBeUndefined();
    expect(splitAnswer(2, { data: entities, errors: 'boom' as unknown as [] })).toBeUndefined();
  });
});
