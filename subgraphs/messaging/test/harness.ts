import {
  codeOf,
  startTestService,
  type GraphQLResult,
  type TestServiceOptions,
} from '@fitnexa/shared/testing';
import { connectSocket, subscribeOverWs } from '@fitnexa/shared/testing/realtime';
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

  remove(squadId: string, userId: string): void {
    this.members.get(squadId)?.delete(userId);
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

/** Subscribes over graphql-ws, live once resolved (see subscribeOverWs). */
export const subscribe = (
  messaging: TestMessaging,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
) => subscribeOverWs({ ...messaging.server, service: 'messaging' }, query, variables, token);

/** A socket.io client of `/chat`, connected (rejects with the server's reason when refused). */
export const chatSocket = (messaging: TestMessaging, token?: string) =>
  connectSocket(`${new URL(messaging.server.url).origin}/chat`, { token, service: 'messaging' });

export {
  collect,
  emitWithAck,
  eventually,
  type TestSubscription,
} from '@fitnexa/shared/testing/realtime';
export { codeOf, type GraphQLResult };
