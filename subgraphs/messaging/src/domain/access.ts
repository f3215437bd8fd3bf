import { requireUser, type AuthContext } from '@fitnexa/shared/auth';
import type { Principal } from '@fitnexa/shared/types';

/** Who acts, and the token they came with: squad is asked about their memberships as them. */
export interface Caller {
  principal: Principal;
  accessToken: string | null;
}

/** The signed-in caller of a GraphQL operation, or UNAUTHENTICATED. */
export function callerOf(context: AuthContext & { accessToken: string | null }): Caller {
  return { principal: requireUser(context), accessToken: context.accessToken };
}
