import {
  codeOf,
  startTestService,
  type GraphQLResult,
  type TestServiceOptions,
} from '@fitnexa/shared/testing';
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { startMessaging, type SquadMembership } from '../src';

// Component tests: messaging alone, in-process on port 0, on the real PostgreSQL and Redis, with
// access tokens signed by a key of the test's own; spoken to over HTTP, graphql-ws and socket.io.

export type TestMessaging = Awaited<ReturnType<typeof startTestMessaging>>;

/** squad, faked: which users are members of which squads. */
export class FakeSquads implements SquadMembership {
  private readonly members = new Map<string, Set<string>>();

  add(squadId: string, ...userIds: string[]): void {
    const members = this.members.get(squadId) ?? new Set<string>();
    for (const userId of userIds) members.add(userId);
    this.members.set(squadId, members);
  }

  async isMember(squadId: string, userId: string): Promise<boolean> {
    return this.members.get(squadId)?.has(userId) ?? false;
  }
}

export interface TestMessagingOptions extends TestServiceOptions {
  /** Default: squads without members. */
  squadMembership?: SquadMembership;
}

export function startTestMessaging(options: TestMessagingOptions = {}) {
  const { squadMembership = new FakeSquads(), ...serviceOptions } = options;
  return startTestService(
    'messaging',
    (settings) =>
      startMessaging({ ...settings, SQUAD_URL: 'http://127.0.0.1:1/graphql', squadMembership }),
    serviceOptions,
  );
}

/** What graphql-ws delivered to one subscription, and a way to wait for more. */
export interface TestSubscription {
  results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  /** Resolves once `count` results arrived (rejects after a few seconds). */
  received(count: number): Promise<FormattedExecutionResult<Record<string, unknown>, unknown>[]>;
  /** Resolves once the server ended the subscription (after an error, say). */
  completed: Promise<void>;
  close(): Promise<void>;
}

const WAIT_MS = 5_000;

/** Polls `done` until it holds, for at most WAIT_MS. */
export async function eventually(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Subscribes over graphql-ws (the real client), authenticated with `token` when given; resolves
 * once the server acknowledged the connection, so events published afterwards reach it.
 */
export async function subscribe(
  messaging: TestMessaging,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<TestSubscription> {
  let connected!: () => void;
  const acknowledged = new Promise<void>((resolve) => (connected = resolve));
  const client: Client = createClient({
    url: messaging.server.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    on: { connected: () => connected() },
  });
  const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
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
  await acknowledged;
  // The subscribe message travels after the acknowledgement; give the server its turn to
  // register the subscription before the test publishes.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    results,
    async received(count) {
      await eventually(() => results.length >= count, `${count} subscription results`);
      return results.slice(0, count);
    },
    completed,
    close: () => client.dispose() as Promise<void>,
  };
}

/** A socket.io client of `/chat`, connected (rejects with the server's reason when refused). */
export async function chatSocket(messaging: TestMessaging, token?: string): Promise<Socket> {
  const socket = io(`${new URL(messaging.server.url).origin}/chat`, {
    auth: token ? { token } : {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
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
export function collect(socket: Socket, event: string): unknown[] {
  const received: unknown[] = [];
  socket.on(event, (payload: unknown) => received.push(payload));
  return received;
}

export { codeOf, type GraphQLResult };
