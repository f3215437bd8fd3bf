import {
  codeOf,
  gatewayCredentialHeaders,
  startTestService,
  type GraphQLResult,
  type TestServiceOptions,
} from '@fitnexa/shared/testing';
import { connectSocket, subscribeOverWs } from '@fitnexa/shared/testing/realtime';
import { startSquad } from '../src';
import { SQUADS_NAMESPACE } from '../src/sockets';

// Component tests: squad alone, in-process on port 0, on the real PostgreSQL and Redis, with access
// tokens signed by a key of the test's own; spoken to over HTTP, graphql-ws and socket.io.

export type TestSquad = Awaited<ReturnType<typeof startTestSquad>>;

export const startTestSquad = (options: TestServiceOptions = {}) =>
  startTestService('squad', startSquad, options);

export { codeOf, gatewayCredentialHeaders, type GraphQLResult };

/** Subscribes over graphql-ws, live once resolved (see subscribeOverWs). */
export const subscribe = (
  squad: TestSquad,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
) => subscribeOverWs({ ...squad.server, service: 'squad' }, query, variables, token);

/** A socket.io client of `/squads`, connected (rejects with the server's reason when refused). */
export const squadSocket = (squad: TestSquad, token?: string) =>
  connectSocket(`${new URL(squad.server.url).origin}${SQUADS_NAMESPACE}`, {
    token,
    service: 'squad',
  });

export {
  closeRealtimeClients as closeClients,
  collect,
  emitWithAck,
  eventually,
  whenLive,
  type LiveResult,
  type TestSubscription,
} from '@fitnexa/shared/testing/realtime';
