import { randomUUID } from 'node:crypto';
import type { Principal, Role } from '../types';
import type { GraphQLResult } from './index';

// The factories every subgraph's tests share: test data is made the way clients make it.

/** A user as a test acts as them: their id and an access token. */
export interface TestUser {
  id: string;
  token: string;
}

/** A new user (a fresh id) with a token from the service under test's issuer. */
export async function aUser(
  service: { tokenFor(principal: Principal): Promise<string> },
  role: Role = 'MEMBER',
): Promise<TestUser> {
  const id = randomUUID();
  return { id, token: await service.tokenFor({ userId: id, role }) };
}

/** The data of the result's one field, or a thrown error naming what went wrong. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dataOf(result: GraphQLResult): any {
  if (!result.data || result.errors) throw new Error(JSON.stringify(result.errors));
  return Object.values(result.data)[0];
}
