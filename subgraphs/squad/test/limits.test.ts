import { randomUUID } from 'node:crypto';
import { MAX_BODY_BYTES, MAX_RESOLVED_FIELDS, SUBGRAPH_LIMITS } from '@fitnexa/shared/limits';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startSquad } from '../src';
import { aSquad, aUser, type TestUser } from './factories';
import { startTestSquad, type TestSquad } from './harness';
import { gatewayCredentialHeaders, startTestService } from '@fitnexa/shared/testing';

// squad called straight at its port, as an attacker past the gateway would: the same limits as the
// gateway's (widened only for what its query plans add), refused with the same codes, and the
// process still answers afterwards.

let squad: TestSquad;
let owner: TestUser;

beforeAll(async () => {
  squad = await startTestSquad();
  owner = await aUser(squad);
  for (const name of ['Iron Crew', 'Dawn Runners', 'Night Lifters']) {
    await aSquad(squad, owner, { name });
  }
});
afterAll(() => squad?.stop());

/** A POST straight at squad, read whatever its shape. */
async function post(body: string | unknown, url = squad.server.url, token = owner.token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
      ...(await gatewayCredentialHeaders('squad')),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** `levels` fields below the entity, alternating User.squads and Squad.owner, then a leaf. */
const chain = (levels: number): string =>
  Array.from({ length: levels }, (_, i) => (i % 2 === 0 ? 'squads {' : 'owner {')).join(' ') +
  ` ${levels % 2 === 0 ? 'id' : 'name'} ` +
  '}'.repeat(levels);

/** As the gateway asks for a user's squads: `_entities { ... on User { … } }`, `depth` deep. */
const entitiesOfDepth = (depth: number) => ({
  query: `query E($r: [_Any!]!) { _entities(representations: $r) { ... on User { ${chain(depth - 3)} } } }`,
  variables: { r: [{ __typename: 'User', id: owner.id }] },
});

const expectRefused = (answer: { status: number; body: any }, status: number, code: string) => {
  expect(answer.status).toBe(status);
  expect(answer.body.errors[0].extensions.code).toBe(code);
};

describe('limits of a subgraph called directly', () => {
  it(`when an entity fetch is ${SUBGRAPH_LIMITS.depth} deep (what the gateway sends for a query at its own limit), then it runs`, async () => {
    const answer = await post(entitiesOfDepth(SUBGRAPH_LIMITS.depth));
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data._entities[0].squads).toHaveLength(3);
  });

  it('when 20 nested squads { owner { squads … } } are sent to squad, then they are refused as invalid and the process still answers', async () => {
    expectRefused(await post(entitiesOfDepth(43)), 400, 'GRAPHQL_VALIDATION_FAILED');
    expectRefused(
      await post(entitiesOfDepth(SUBGRAPH_LIMITS.depth + 1)),
      400,
      'GRAPHQL_VALIDATION_FAILED',
    );
    const live = await fetch(squad.server.url.replace('/graphql', '/health/live'));
    expect(live.status).toBe(200);
    expect((await post(entitiesOfDepth(4))).body.data._entities[0].squads).toHaveLength(3);
  });

  it(`when a request would resolve more than ${MAX_RESOLVED_FIELDS} fields (150 entities, squads nested 5 times), then it gets one BAD_REQUEST and the process still answers`, async () => {
    const bomb = entitiesOfDepth(SUBGRAPH_LIMITS.depth);
    bomb.variables.r = Array.from({ length: 150 }, () => ({ __typename: 'User', id: owner.id }));
    const answer = await post(bomb);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      errors: [
        {
          message: expect.stringContaining(`more than ${MAX_RESOLVED_FIELDS} fields`),
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    expect((await post(entitiesOfDepth(4))).body.data._entities[0].squads).toHaveLength(3);
  }, 60_000);

  it.each([
    [
      `more than ${SUBGRAPH_LIMITS.aliases} aliases`,
      `{ ${Array.from({ length: SUBGRAPH_LIMITS.aliases + 1 }, (_, i) => `a${i}: _service { sdl }`).join(' ')} }`,
    ],
    [
      `more than ${SUBGRAPH_LIMITS.directives} directives`,
      `{ __typename ${'@skip(if: false) '.repeat(SUBGRAPH_LIMITS.directives + 1)} }`,
    ],
    [
      `a cost over ${SUBGRAPH_LIMITS.cost}`,
      '{ squads(first: 100) { edges { node { members(first: 100) { edges { node { role } } } } } } }',
    ],
  ])('when an operation has %s, then it is refused as invalid', async (_, query) => {
    expectRefused(await post({ query }), 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it(`when an operation has more than ${SUBGRAPH_LIMITS.tokens} tokens, then it is refused as unparsable`, async () => {
    const query = `{ ${'a '.repeat(SUBGRAPH_LIMITS.tokens)} }`;
    expect(query.length).toBeLessThan(MAX_BODY_BYTES);
    expectRefused(await post({ query }), 400, 'GRAPHQL_PARSE_FAILED');
  });

  it('when a literal is nested thousands of levels deep, then it is refused as unparsable', async () => {
    const query = `{ squad(id: ${'['.repeat(5_000)}"x"${']'.repeat(5_000)}) { id } }`;
    expectRefused(await post({ query }), 400, 'GRAPHQL_PARSE_FAILED');
  });

  it('when the body is larger than 1 MB, then it is 413 PAYLOAD_TOO_LARGE', async () => {
    const query = `{ __typename } # ${'x'.repeat(MAX_BODY_BYTES)}`;
    expectRefused(await post({ query }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('when a batch of operations is sent, then it is refused whole as BAD_REQUEST (the gateway never batches)', async () => {
    const operation = { query: '{ __typename }' };
    expectRefused(await post([operation, operation]), 400, 'BAD_REQUEST');
  });

  it('when a subscription over graphql-ws is deeper than the limit, then it is refused as invalid', async () => {
    const client = createClient({
      url: squad.server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: {
        authorization: `Bearer ${owner.token}`,
        ...(await gatewayCredentialHeaders('squad')),
      },
      retryAttempts: 0,
    });
    try {
      const refusal = await new Promise<unknown>((resolve) => {
        client.subscribe(
          {
            query: `subscription S($id: ID!) { squadActivity(squadId: $id) { actor { ${chain(SUBGRAPH_LIMITS.depth - 2)} } } }`,
            variables: { id: randomUUID() },
          },
          { next: () => undefined, error: resolve, complete: () => resolve(undefined) },
        );
      });
      expect(refusal).toEqual([
        expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('when squad runs in production, then it refuses introspection and suggestions but still gives the gateway its SDL', async () => {
    const production = await startTestService('squad', (settings) =>
      startSquad({ ...settings, NODE_ENV: 'production' }),
    );
    try {
      const url = production.server.url;
      const token = await production.tokenFor({ userId: randomUUID(), role: 'MEMBER' });
      expectRefused(
        await post({ query: '{ __schema { queryType { name } } }' }, url, token),
        400,
        'GRAPHQL_VALIDATION_FAILED',
      );
      const typo = await post({ query: '{ squadz { edges { cursor } } }' }, url, token);
      expect(typo.body.errors[0].message).not.toContain('Did you mean');
      const sdl = await post({ query: '{ _service { sdl } }' }, url, token);
      expect(sdl.body.data._service.sdl).toContain('type Squad');
    } finally {
      await production.stop();
    }
  });
});
