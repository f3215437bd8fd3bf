import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '@fitnexa/shared/auth';
import { ErrorCode } from '@fitnexa/shared/errors';

/** Whether a user belongs to a squad; squad decides, messaging asks. */
export interface SquadMembership {
  isMember(squadId: string, userId: string, accessToken: string | null): Promise<boolean>;
}

const SQUAD_ROLE_QUERY = 'query SquadRole($id: ID!) { squad(id: $id) { id myRole } }';
const REQUEST_TIMEOUT_MS = 3_000;
// squad's answers for a squad the caller may not see: not a member, rather than a failure.
const NOT_A_MEMBER_CODES = new Set<string>([
  ErrorCode.NOT_FOUND,
  ErrorCode.FORBIDDEN,
  ErrorCode.UNAUTHENTICATED,
]);

interface SquadRoleResponse {
  data?: { squad: { id: string; myRole: string | null } | null } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * Asks squad over HTTP as the caller, with their bearer token (and messaging's own service
 * credential, which squad requires of whoever calls it): squad answers `myRole` for
 * the signed-in viewer, so `userId` must be the token's user. Participants follow squad's
 * membership events (see domain/events.ts); this decides for members who are not participants
 * yet. An unreachable squad fails the request rather than answering "not a member".
 */
export class HttpSquadMembership implements SquadMembership {
  constructor(
    private readonly squadUrl: string,
    /** Signs messaging's credentials (`iss` messaging); squad accepts them. */
    private readonly serviceTokens: ServiceTokenIssuer,
  ) {}

  async isMember(squadId: string, _userId: string, accessToken: string | null): Promise<boolean> {
    if (!accessToken) return false;
    const response = await fetch(this.squadUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accessToken}`,
        [SERVICE_TOKEN_HEADER]: await this.serviceTokens.tokenFor('squad'),
      },
      body: JSON.stringify({ query: SQUAD_ROLE_QUERY, variables: { id: squadId } }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const result = (await response.json().catch(() => ({}))) as SquadRoleResponse;
    const codes = (result.errors ?? []).map((error) => error.extensions?.code ?? '');
    if (codes.length && codes.every((code) => NOT_A_MEMBER_CODES.has(code))) return false;
    if (!response.ok || codes.length || result.data === undefined) {
      throw new Error(
        `squad answered ${response.status} to the membership query: ${JSON.stringify(result.errors ?? result)}`,
      );
    }
    return !!result.data?.squad?.myRole;
  }
}
