import { bearerToken } from '../auth';
import { CALLER_EXTENSION } from './fan-out-protocol';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `authorization` entry of `record` in any letter case (clients send `Authorization` too). */
function authorizationIn(record: Record<string, unknown>): unknown {
  if ('authorization' in record) return record.authorization;
  const key = Object.keys(record).find((name) => name.toLowerCase() === 'authorization');
  return key === undefined ? undefined : record[key];
}

/**
 * The access token a graphql-ws client sent in `connectionParams`, null without one: the
 * `authorization` entry (`Bearer <token>`, any letter case), at the top or under `headers`
 * (`{ headers: { authorization } }`), as clients commonly send it. A malformed one throws
 * AuthenticationError, as a malformed HTTP header does. The one check for the gateway and every
 * subgraph.
 */
export function connectionAccessToken(
  connectionParams: Readonly<Record<string, unknown>> | null | undefined,
): string | null {
  if (!connectionParams) return null;
  let given = authorizationIn(connectionParams);
  if (given === undefined && isRecord(connectionParams.headers)) {
    given = authorizationIn(connectionParams.headers);
  }
  return bearerToken(typeof given === 'string' ? given : undefined);
}

/**
 * The access token a subscription of a connection shared by the gateway's callers names in its
 * `extensions` (`{ caller: { authorization: 'Bearer …' } }`, decision 0043), null without one; read
 * as `connectionAccessToken` reads a connection's.
 */
export function subscriptionCallerToken(
  extensions: Readonly<Record<string, unknown>> | null | undefined,
): string | null {
  const caller = extensions?.[CALLER_EXTENSION];
  return connectionAccessToken(isRecord(caller) ? caller : null);
}
