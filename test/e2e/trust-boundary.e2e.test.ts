import {
  createServiceTokenIssuer,
  SERVICE_TOKEN_HEADER,
  SERVICE_TOKEN_TTL_SECONDS,
} from '@fitnexa/shared/auth';
import {
  capturingLogger,
  gatewayCredentialHeaders,
  TEST_SERVICE_TOKEN_SECRET,
} from '@fitnexa/shared/testing';
import {
  closeRealtimeClients,
  connectSocket,
  subscribeOverWs,
} from '@fitnexa/shared/testing/realtime';
import { HttpSquadMembership } from '@fitnexa/messaging';
import { startGateway } from '@fitnexa/supergraph';
import { createClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { aSquadOfTwo, send, squadChatOf } from './factories';
import { startGraph, type Graph } from './support';

// Only the gateway (and messaging, at squad) gets through a subgraph's /graphql, graphql-ws and
// socket.io: whatever else reaches a subgraph's port is refused before GraphQL runs.

let graph: Graph;

beforeAll(async () => {
  graph = await startGraph();
});
afterEach(closeRealtimeClients);
afterAll(() => graph.stop());

const SUBGRAPHS = ['identity', 'gym', 'workout', 'squad', 'messaging', 'observability'] as const;
type Subgraph = (typeof SUBGRAPHS)[number];

const SDL = '{ _service { sdl } }';
const ENTITIES = 'query E($r: [_Any!]!) { _entities(representations: $r) { __typename } }';

async function post(subgraph: Subgraph, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(graph.subgraphs[subgraph].url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables: { r: [] } }),
  });
  return { status: response.status, body: await response.json() };
}

const refused = (message: RegExp) => ({
  status: 401,
  body: {
    errors: [
      { message: expect.stringMatching(message), extensions: { code: 'SERVICE_UNAUTHENTICATED' } },
    ],
  },
});

const credential = (token: string) => ({ [SERVICE_TOKEN_HEADER]: token });

describe('a subgraph called directly, not through the gateway', () => {
  it.each(SUBGRAPHS)(
    "when %s's /graphql is called without a service credential, then _service, _entities and GETs are refused with 401 SERVICE_UNAUTHENTICATED",
    async (subgraph) => {
      expect(await post(subgraph, SDL)).toEqual(refused(/only the fitnexa gateway/i));
      expect(await post(subgraph, ENTITIES)).toEqual(refused(/only the fitnexa gateway/i));
      const get = await fetch(`${graph.subgraphs[subgraph].url}?query=${encodeURIComponent(SDL)}`);
      expect(get.status).toBe(401);
      expect((await get.json()).errors[0].extensions.code).toBe('SERVICE_UNAUTHENTICATED');
    },
  );

  it.each(SUBGRAPHS)(
    "when %s's /graphql is called with the gateway's credential, then it answers (the credential is what was missing)",
    async (subgraph) => {
      const answer = await post(subgraph, SDL, await gatewayCredentialHeaders(subgraph));
      expect(answer.status).toBe(200);
      expect(answer.body.data._service.sdl).toContain('type Query');
    },
  );

  it('when the credential is forged (another secret), expired, for another subgraph, or from a service gym does not accept, then gym refuses it', async () => {
    const forged = createServiceTokenIssuer({
      secret: 'a-secret-someone-guessed-at-least-32-chars',
      issuer: 'gateway',
    });
    expect(await post('gym', SDL, credential(await forged.tokenFor('gym')))).toEqual(
      refused(/not valid/),
    );

    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('gateway')
      .setAudience('gym')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 2 * SERVICE_TOKEN_TTL_SECONDS)
      .setExpirationTime(Math.floor(Date.now() / 1000) - SERVICE_TOKEN_TTL_SECONDS)
      .sign(new TextEncoder().encode(TEST_SERVICE_TOKEN_SECRET));
    expect(await post('gym', SDL, credential(expired))).toEqual(refused(/expired/));

    const forSquad = (await gatewayCredentialHeaders('squad'))[SERVICE_TOKEN_HEADER]!;
    expect(await post('gym', SDL, credential(forSquad))).toEqual(refused(/not meant for gym/));

    const messaging = createServiceTokenIssuer({
      secret: TEST_SERVICE_TOKEN_SECRET,
      issuer: 'messaging',
    });
    expect(await post('gym', SDL, credential(await messaging.tokenFor('gym')))).toEqual(
      refused(/messaging may not call gym/),
    );
    // squad, which messaging asks about memberships, takes the same kind of credential.
    expect((await post('squad', SDL, credential(await messaging.tokenFor('squad')))).status).toBe(
      200,
    );
  });

  it.each(SUBGRAPHS)(
    "when %s's health and metrics are asked without a credential, then they answer",
    async (subgraph) => {
      const origin = new URL(graph.subgraphs[subgraph].url).origin;
      for (const path of ['/health/live', '/health/ready', '/metrics']) {
        expect([path, (await fetch(`${origin}${path}`)).status]).toEqual([path, 200]);
      }
    },
  );

  it("when identity's key set is asked without a credential, then it answers", async () => {
    const response = await fetch(graph.identity.jwksUrl);
    expect(response.status).toBe(200);
    expect((await response.json()).keys.length).toBeGreaterThan(0);
  });

  it('when a graphql-ws client connects to messaging without the credential, then it is closed with 4403 SERVICE_UNAUTHENTICATED; with it, it subscribes', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo(graph);
    const query = 'subscription M($id: ID!) { messageAdded(conversationId: $id) { body } }';
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const client = createClient({
        url: graph.subgraphs.messaging.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${bob.token}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: (event) => resolve(event as { code: number; reason: string }) },
      });
      client.subscribe(
        { query, variables: { id: conversationId } },
        {
          next: () => {},
          error: () => {},
          complete: () => {},
        },
      );
    });
    expect(closed).toMatchObject({ code: 4403, reason: 'SERVICE_UNAUTHENTICATED' });

    const asGateway = await subscribeOverWs(
      { ...graph.subgraphs.messaging, service: 'messaging' },
      query,
      { id: conversationId },
      bob.token,
    );
    await send(graph, alice, conversationId, 'Only through the front door');
    expect(await asGateway.received(1)).toEqual([
      { data: { messageAdded: { body: 'Only through the front door' } } },
    ]);
  });

  it('when a socket.io client connects to messaging directly without the credential, then it is refused with SERVICE_UNAUTHENTICATED; through the gateway it connects', async () => {
    const member = await graph.signUp();
    const origin = new URL(graph.subgraphs.messaging.url).origin;
    await expect(connectSocket(`${origin}/chat`, { token: member.token })).rejects.toThrow(
      'SERVICE_UNAUTHENTICATED',
    );
    const throughGateway = await connectSocket(`${new URL(graph.gateway.url).origin}/chat`, {
      path: '/socket.io/messaging',
      token: member.token,
      transports: ['polling'],
    });
    expect(throughGateway.connected).toBe(true);
  });
});

describe('the same graph through the gateway, and messaging at squad', () => {
  it('when members use squad and its chat through the gateway, then every subgraph answers as before', async () => {
    const { alice, bob, squadId, conversationId } = await aSquadOfTwo(graph);
    // Opening the squad's chat: messaging asks squad (as messaging) unless it already heard Bob joined.
    expect(await squadChatOf(graph, bob, squadId)).toBe(conversationId);
    await send(graph, alice, conversationId, 'Hi Bob');
    const { me } = await graph.as(bob.token, '{ me { id unreadCount squads { name } } }');
    expect(me).toEqual({ id: bob.id, unreadCount: 1, squads: [{ name: 'Dawn Patrol' }] });
  });

  it("when messaging asks the real squad about a membership, with messaging's credential, then squad answers", async () => {
    const { bob, squadId } = await aSquadOfTwo(graph);
    const stranger = await graph.signUp();
    const membership = new HttpSquadMembership(
      graph.subgraphs.squad.url,
      createServiceTokenIssuer({ secret: TEST_SERVICE_TOKEN_SECRET, issuer: 'messaging' }),
    );
    expect(await membership.isMember(squadId, bob.id, bob.token)).toBe(true);
    expect(await membership.isMember(squadId, stranger.id, stranger.token)).toBe(false);
  });

  it("when a gateway signs with another secret than the subgraphs', then its clients get INTERNAL_SERVER_ERROR (not UNAUTHENTICATED, which reads as 'sign in again') and it logs why", async () => {
    const member = await graph.signUp();
    const logs = capturingLogger('gateway');
    const misconfigured = await startGateway({
      supergraphSdl: readFileSync(
        join(__dirname, '..', '..', 'schema', 'supergraph.graphql'),
        'utf8',
      ),
      subgraphUrls: Object.fromEntries(
        Object.entries(graph.subgraphs).map(([name, server]) => [name, server.url]),
      ),
      jwksUrl: graph.identity.jwksUrl,
      serviceTokenSecret: 'not-the-secret-the-subgraphs-were-given-42',
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      rateLimits: false,
    });
    try {
      const response = await fetch(misconfigured.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${member.token}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      const body = await response.json();
      expect(body.errors.map((error: any) => error.extensions.code)).toEqual([
        'INTERNAL_SERVER_ERROR',
      ]);
      expect(logs.entries.map((entry) => entry.error)).toContainEqual(
        expect.stringMatching(
          /identity refused the gateway's service credential.*SERVICE_TOKEN_SECRET/,
        ),
      );
    } finally {
      await misconfigured.stop();
    }
  });
});
