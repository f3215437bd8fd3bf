import { requireUser } from '@fitnexa/shared/auth';
import { ForbiddenError } from '@fitnexa/shared/errors';
import type { SquadContext } from '../context';
import type { SquadRecord } from '../data/squads';
import { isAdmin, mayView } from '../domain/access';
import type { SquadRole } from '../generated/prisma/enums';

// Who sees a squad, decided with the request's loaders: many squads cost one query for the
// viewer's roles, PUBLIC squads and admins none.

/** The viewer's role in the squad; null when they are not a member (or nobody is signed in). */
export function viewerRole(context: SquadContext, squadId: string): Promise<SquadRole | null> {
  const { principal } = context;
  return principal
    ? context.loaders.role.load({ squadId, userId: principal.userId })
    : Promise.resolve(null);
}

/** The squad when the viewer may see it, null otherwise; UNAUTHENTICATED without a viewer. */
export async function visibleSquad(
  context: SquadContext,
  squad: SquadRecord | null,
): Promise<SquadRecord | null> {
  const principal = requireUser(context);
  if (!squad) return null;
  if (squad.visibility === 'PUBLIC' || isAdmin(principal)) return squad;
  return mayView(principal, squad, await viewerRole(context, squad.id)) ? squad : null;
}

/**
 * FORBIDDEN unless the viewer may see the squad's inside (members, challenges): a squad's name
 * reaches an invitee through their invitation, its inside only once they are a member.
 */
export async function requireInside(context: SquadContext, squad: SquadRecord): Promise<void> {
  if (!(await visibleSquad(context, squad))) throw new ForbiddenError();
}

/** The squad a stored row refers to; a foreign key guarantees it exists. */
export async function squadOf(context: SquadContext, squadId: string): Promise<SquadRecord> {
  const squad = await context.loaders.squadById.load(squadId);
  if (!squad) throw new Error(`Squad ${squadId} is referenced but missing`);
  return squad;
}
