import { createServer, type Server } from 'node:http';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import { eventually } from '@fitnexa/shared/testing/realtime';
import {
  Kind,
  valueFromASTUntyped,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket, type WebSocketServer } from 'ws';
import { type GatewayServer } from '../src';
import { everySubgraphAt, serveStubSubscriptions, startTestGateway } from './kit';

// Resumable subscriptions at the gateway: when its upstream connection drops and graphql-ws
// reconnects, the gateway asks for the events after the last one it received. The stub stands in
// for messaging: a conversation's stored messages, replayed after `after` as messaging replays
// them, and a live stream for the subscriptions open.

interface StoredMessage {
  id: string;
  body: string;
}

interface StubSubscription {
  field: string;
  /** The `after` argument the subscription came with (null without one). */
  after: unknown;
  query: string;
  live: boolean;
  push(message: StoredMessage): void;
}

let stub: Server;
let stubWs: WebSocketServer;
let stored: StoredMessage[] = [];
let subscriptions: StubSubscription[] = [];
let gateway: GatewayServer;
let token: string;
const clients: Client[] = [];

/** The stub's answer to one subscription: its root field's selection, from a stored message. */
function shaped(root: FieldNode, message: StoredMessage) {
  const record: Record<string, unknown> = { __typename: 'Message', ...message };
  return {
    data: {
      [root.alias?.value ?? root.name.value]: Object.fromEntries(
        (root.selectionSet?.selections ?? [])
          .filter((selection): selection is FieldNode => selection.kind === Kind.FIELD)
          .map((field) => [field.alias?.value ?? field.name.value, record[field.name.value]]),
      ),
    },
  };
}

/** The stub's subscriptions: the stored messages after `after` first, then the live ones. */
function stubSubscription(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
  const operation = args.document.definitions[0] as OperationDefinitionNode;
  const root = operation.selectionSet.selections[0] as FieldNode;
  const afterNode = root.arguments?.find((arg) => arg.name.value === 'after')?.value;
  const after = afterNode ? valueFromASTUntyped(afterNode, args.variableValues ?? undefined) : null;
  const start = after === null ? stored.length : stored.findIndex(({ id }) => id === after) + 1;
  const pending = stored.slice(start).map((message) => shaped(root, message));
  let wake: (() => void) | undefined;
  const subscription: StubSubscription = {
    field: root.name.value,
    after,
    query: (args.contextValue as { query: string }).query,
    live: true,
    push(message) {
      pending.push(shaped(root, message));
      wake?.();
    },
  };
  subscriptions.push(subscription);
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      while (!pending.length && subscription.live) await new Promise<void>((r) => (wake = r));
      return subscription.live
        ? { done: false, value: pending.shift()! }
        : { done: true, value: undefined };
    },
    async return() {
      subscription.live = false;
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** Stores a message and pushes it to the live subscriptions, as messaging does. */
function publish(id: string) {
  const message = { id, body: `body of ${id}` };
  stored.push(message);
  for (const subscription of subscriptions) if (subscription.live) subscription.push(message);
}

/** The stub drops every upstream connection, as a messaging instance that died would. */
function dropUpstreams() {
  for (const socket of stubWs.clients) socket.terminate();
  for (const subscription of subscriptions) subscription.live = false;
}

function subscribe(query: string, variables: Record<string, unknown>) {
  const client = createClient({
    url: gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  const results: ExecutionResult[] = [];
  let ended = false;
  client.subscribe(
    { query, variables },
    {
      next: (result) => results.push(result as ExecutionResult),
      error: () => (ended = true),
      complete: () => (ended = true),
    },
  );
  return { results, ended: () => ended };
}

const liveSubscriptions = () => subscriptions.filter((subscription) => subscription.live);

beforeAll(async () => {
  stub = createServer((_req, res) => res.end());
  const served = await serveStubSubscriptions(stub, stubSubscription, (_ctx, payload) => ({
    query: payload.query,
  }));
  stubWs = served.wss;
  const issuer = await testTokenIssuer();
  token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
  gateway = await startTestGateway({
    subgraphUrls: everySubgraphAt(served.url),
    verifyAccessToken: issuer.verify,
    rateLimits: false,
    subscriptions: { upstreamRetryAttempts: 5 },
  });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await eventually(
    () => gateway.subscriptions.upstreamSockets() === 0,
    'upstream sockets to close',
  );
  stored = [];
  subscriptions = [];
});
afterAll(async () => {
  await gateway.stop();
  for (const socket of stubWs.clients) socket.terminate();
  await new Promise<void>((resolve) => stubWs.close(() => resolve()));
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});

describe('resumable subscriptions at the gateway', () => {
  it('when the upstream drops and comes back, then the events published meanwhile arrive once, in order, at every client sharing the upstream subscription, which never see the cursor', async () => {
    const query = 'subscription M($id: ID!) { messageAdded(conversationId: $id) { id body } }';
    const [one, other] = [subscribe(query, { id: 'c1' }), subscribe(query, { id: 'c1' })];
    await eventually(() => liveSubscriptions().length === 1, 'one shared upstream subscription');
    await eventually(() => gateway.subscriptions.activeSubscriptions() === 2, 'both subscribers');
    publish('m1');
    publish('m2');
    await eventually(() => one.results.length === 2 && other.results.length === 2, 'm1 and m2');

    dropUpstreams();
    publish('m3');
    publish('m4');
    await eventually(() => liveSubscriptions().length === 1, 'the re-subscription');
    publish('m5');
    await eventually(() => one.results.length >= 5 && other.results.length >= 5, 'm3 to m5');
    // Anything duplicated would arrive within this time too.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const expected = ['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => ({
      data: { messageAdded: { id, body: `body of ${id}` } },
    }));
    expect(one.results).toEqual(expected);
    expect(other.results).toEqual(expected);
    expect(subscriptions.map(({ after }) => after)).toEqual([null, 'm2']);
    expect(one.ended() || other.ended()).toBe(false);
  });

  it('when the client gives `after` and selects no id, then the first upstream subscription starts after the client’s cursor and a re-subscription after the last event received', async () => {
    publish('m1');
    publish('m2');
    const resumed = subscribe(
      'subscription R($id: ID!, $from: ID) { added: messageAdded(conversationId: $id, after: $from) { body } }',
      { id: 'c1', from: 'm1' },
    );
    await eventually(() => resumed.results.length === 1, 'm2, replayed');
    dropUpstreams();
    publish('m3');
    await eventually(() => resumed.results.length === 2, 'm3 after the re-subscription');

    expect(resumed.results).toEqual([
      { data: { added: { body: 'body of m2' } } },
      { data: { added: { body: 'body of m3' } } },
    ]);
    expect(subscriptions.map(({ after }) => after)).toEqual(['m1', 'm2']);
    // The client's `$from` became the gateway's own variable upstream.
    expect(subscriptions[0]!.query).not.toContain('$from');
  });

  it('when a subscription field takes no `after`, then it goes upstream as the client sent it', async () => {
    subscribe('subscription T($id: ID!) { typing(conversationId: $id) { at } }', { id: 'c1' });
    await eventually(() => liveSubscriptions().length === 1, 'the upstream subscription');
    expect(subscriptions[0]).toMatchObject({ field: 'typing', after: null });
    expect(subscriptions[0]!.query).not.toContain('after');
    expect(subscriptions[0]!.query).not.toContain('__resume');
  });
});
