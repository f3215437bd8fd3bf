import { ForbiddenError } from '@fitnexa/shared/errors';
import type { Principal } from '@fitnexa/shared/types';
import type { SquadRecord } from '../data/squads';
import type { SquadRole } from '../generated/prisma/enums';

// Who may do what in a squad, from the viewer's role in it (null: not a member).

export const isAdmin = (principal: Principal) => principal.role === 'ADMIN';

/**
 * Everyone signed in sees a PUBLIC squad; a PRIVATE one only its members and admins (who see
 * every squad, as they see everything else, but act in one only through a role in it).
 */
export function mayView(principal: Principal, squad: SquadRecord, role: SquadRole | null): boolean {
  return squad.visibility === 'PUBLIC' || role !== null || isAdmin(principal);
}

/** The squad's OWNER and ADMINs run it: edit it, answer requests, invite, create challenges. */
export function requireManager(role: SquadRole | null): void {
  if (role !== 'OWNER' && role !== 'ADMIN') {
    throw new ForbiddenError("Only the squad's owner and admins can do this");
  }
}

/** Setting roles and handing ownership over are the OWNER's alone. */
export function requireOwner(role: SquadRole | null): void {
  if (role !== 'OWNER') throw new ForbiddenError("Only the squad's owner can do this");
}

/** Whom a member may remove: the OWNER anyone else, an ADMIN only MEMBERs. */
export function removableBy(role: SquadRole | null): SquadRole[] {
  if (role === 'OWNER') return ['ADMIN', 'MEMBER'];
  if (role === 'ADMIN') return ['MEMBER'];
  return [];
}
