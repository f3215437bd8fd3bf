import {
  codeOf,
  startTestService,
  type GraphQLResult,
  type TestServiceOptions,
} from '@fitnexa/shared/testing';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { startSquad } from '../src';
import { SQUADS_NAMESPACE } from '../src/sockets';

// Component tests: squad alone, in-process on port 0, on the real PostgreSQL and Redis, with access
// tokens signed by a key of the test's own; spoken to over HTTP, graphql-ws and socket.io.

export type TestSquad = Awaited<ReturnType<typeof startTestSquad>>;

export const startTestSquad = (options: TestServiceOptions = {}) =>
  startTestService('squad', startSquad, options);

export { codeOf, type GraphQLResult };

const WAIT_MS = 5_000;

/** Polls `done` until it holds, for at most WAIT_MS. */
export async function eventually(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export type LiveResult = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** What graphql-ws delivered to one subscription, and ways to wait for more. */
export interface TestSubscription {
  results: LiveResult[];
  /** Resolves once `count` results arrived in all (rejects after a few seconds). */
  received(count: number): Promise<LiveResult[]>;
  /** Resolves once the server ended the subscription (after an error, say). */
  completed: Promise<void>;
  close(): Promise<void>;
}

/** Every graphql-ws client a test opened, so that `closeClients` can end them all. */
const open = new Set<{ close(): unknown }>();

/** Closes every graphql-ws and socket.io client the test opened (in afterEach). */
export async function closeClients(): Promise<void> {
  await Promise.all([...open].map((client) => client.close()));
  open.clear();
}

/** Subscribes over graphql-ws (the real client), authenticated with `token` when given. */
export function subscribe(
  squad: TestSquad,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): TestSubscription {
  const client: Client = createClient({
    url: squad.server.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  const subscription = { close: () => client.dispose() };
  open.add(subscription);
  const results: LiveResult[] = [];
  let complete!: () => void;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  client.subscribe(
    { query, variables },
    {
      next: (result) => results.push(result),
      error: (error) => {
        results.push({ errors: [{ message: String(error) }] });
        complete();
      },
      complete: () => complete(),
    },
  );
  return {
    results,
    async received(count) {
      await eventually(() => results.length >= count, `${count} subscription results`);
      return results.slice(0, count);
    },
    completed,
    close: async () => {
      open.delete(subscription);
      await client.dispose();
    },
  };
}

/**
 * Waits until the subscription is live: graphql-ws does not acknowledge a subscription, so
 * `poke` (something that publishes to it) runs every 100 ms until the first result arrives.
 * The results so far are dropped; the next one is the first of the test's own.
 */
export async function whenLive(subscription: TestSubscription, poke: () => Promise<unknown>) {
  const deadline = Date.now() + WAIT_MS;
  while (!subscription.results.length) {
    if (Date.now() > deadline) throw new Error('the subscription never went live');
    await poke();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Pokes still under way land within a few milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 100));
  subscription.results.length = 0;
}

/** A socket.io client of `/squads`, connected (rejects with the server's reason when refused). */
export async function squadSocket(squad: TestSquad, token?: string): Promise<Socket> {
  const socket = io(`${new URL(squad.server.url).origin}${SQUADS_NAMESPACE}`, {
    auth: token ? { token } : {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  open.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      open.delete(socket);
      reject(error);
    });
  });
  return socket;
}

/** An event emitted with an acknowledgement, answered as `{ data }` or `{ error }`. */
export function emitWithAck(socket: Socket, event: string, payload: unknown): Promise<any> {
  return socket.timeout(WAIT_MS).emitWithAck(event, payload);
}

/** Every `event` the socket receives from now on. */
export function collect(socket: Socket, event: string): any[] {
  const received: any[] = [];
  socket.on(event, (payload: unknown) => received.push(payload));
  return received;
}
