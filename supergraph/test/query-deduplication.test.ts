import type { Server } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { RunningServer } from '@fitnexa/shared/server';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import { execute, parse } from 'graphql';
import gql from 'graphql-tag';
import { everySubgraphAt, serveStubSubgraph, startTestGateway } from './kit';

// Identical queries of one caller in flight at once are executed once (decision 0035). A stand-in
// identity answers every subgraph request after a pause, so that requests sent together overlap;
// the gateway's own subgraph-request deduplication is off, so what is counted here is executions.

const PAUSE_MS = 150;
/** The stand-in's context: the caller, by their bearer token's last characters. */
interface Caller {
  caller: string;
}
const names = new Map<string, string>();
let queriesReceived = 0;

const identity = buildSubgraphSchema({
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query {
      me: User!
    }
    type Mutation {
      updateProfile(input: UpdateProfileInput!): User!
    }
    input UpdateProfileInput {
      displayName: String
    }
    type User @key(fields: "id") {
      id: ID!
      displayName: String!
    }
  `,
  resolvers: {
    Query: {
      me: (_: unknown, __: unknown, context: unknown) => {
        const { caller } = context as Caller;
        return { id: caller, displayName: names.get(caller) ?? `member ${caller}` };
      },
    },
    Mutation: {
      updateProfile: (
        _: unknown,
        { input }: { input: { displayName: string } },
        context: unknown,
      ) => {
        const { caller } = context as Caller;
        names.set(caller, input.displayName);
        return { id: caller, displayName: input.displayName };
      },
    },
  },
});

let stub: Server;
let sharing: RunningServer;
let unshared: RunningServer;
let tokens: [string, string];

beforeAll(async () => {
  let base: string;
  ({ server: stub, base } = await serveStubSubgraph(({ query, variables }, req, res) => {
    const mutation = query.trimStart().startsWith('mutation');
    if (!mutation) queriesReceived += 1;
    // Read when the request arrives, answered after the pause: a query sees what was there then.
    void Promise.resolve(
      execute({
        schema: identity,
        document: parse(query),
        variableValues: variables,
        contextValue: { caller: req.headers.authorization?.slice(-8) ?? '' },
      }),
    ).then((result) =>
      setTimeout(
        () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(result));
        },
        mutation ? 0 : PAUSE_MS,
      ),
    );
  }));
  const subgraphUrls = everySubgraphAt(base);
  const issuer = await testTokenIssuer();
  tokens = [
    await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' }),
    await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' }),
  ];
  const options = {
    subgraphUrls,
    verifyAccessToken: issuer.verify,
    rateLimits: false as const,
    subgraphDeduplication: false,
  };
  sharing = await startTestGateway(options);
  unshared = await startTestGateway({ ...options, queryDeduplication: false });
});
afterAll(async () => {
  await sharing.stop();
  await unshared.stop();
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});
beforeEach(() => {
  queriesReceived = 0;
  names.clear();
});

const ME = 'query Me { me { id displayName } }';

async function ask(
  gateway: RunningServer,
  token: string,
  query = ME,
  variables: Record<string, unknown> = {},
) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const callerOf = (token: string) => token.slice(-8);

describe('identical queries of one caller in flight at once', () => {
  it('when a member sends the same query five times at once, then it runs once and all five get its answer', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => ask(sharing, tokens[0])));

    expect(queriesReceived).toBe(1);
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 200,
        body: {
          data: { me: { id: callerOf(tokens[0]), displayName: `member ${callerOf(tokens[0])}` } },
        },
      });
    }
  });

  it('when two members send the same query at once, then each gets their own answer from a run of their own', async () => {
    const [first, second] = await Promise.all([ask(sharing, tokens[0]), ask(sharing, tokens[1])]);

    expect(queriesReceived).toBe(2);
    expect(first.body).toEqual({
      data: { me: { id: callerOf(tokens[0]), displayName: `member ${callerOf(tokens[0])}` } },
    });
    expect(second.body).toEqual({
      data: { me: { id: callerOf(tokens[1]), displayName: `member ${callerOf(tokens[1])}` } },
    });
  });

  it('when the variables differ, then each query runs', async () => {
    const query = 'query Me($withName: Boolean!) { me { id displayName @include(if: $withName) } }';
    const [withName, without] = await Promise.all([
      ask(sharing, tokens[0], query, { withName: true }),
      ask(sharing, tokens[0], query, { withName: false }),
    ]);

    expect(queriesReceived).toBe(2);
    expect(withName.body).toEqual({
      data: { me: { id: callerOf(tokens[0]), displayName: `member ${callerOf(tokens[0])}` } },
    });
    expect(without.body).toEqual({ data: { me: { id: callerOf(tokens[0]) } } });
  });

  it('when a member changes their name while their query is in flight, then the same query sent after the change reads the new name', async () => {
    const before = ask(sharing, tokens[0]);
    // The first query is at the subgraph (held for PAUSE_MS) when the mutation is answered.
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS / 3));
    const renamed = await ask(
      sharing,
      tokens[0],
      'mutation Rename($name: String!) { updateProfile(input: { displayName: $name }) { displayName } }',
      { name: 'Maya' },
    );
    expect(renamed.body).toEqual({ data: { updateProfile: { displayName: 'Maya' } } });

    const after = await ask(sharing, tokens[0]);

    expect(after.body).toEqual({ data: { me: { id: callerOf(tokens[0]), displayName: 'Maya' } } });
    expect((await before).body).toEqual({
      data: { me: { id: callerOf(tokens[0]), displayName: `member ${callerOf(tokens[0])}` } },
    });
    expect(queriesReceived).toBe(2);
  });

  it('when query deduplication is off, then each of five identical queries runs', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => ask(unshared, tokens[0])));

    expect(queriesReceived).toBe(5);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });
});
