import { ForbiddenError } from '@fitnexa/shared/errors';
import type { Principal } from '@fitnexa/shared/types';
import type { GymRecord } from '../data/gyms';

export const isAdmin = (principal: Principal) => principal.role === 'ADMIN';

/** Only the gym's owner (still a GYM_OWNER) and admins manage a gym, its plans and classes. */
export function requireGymManager(principal: Principal, gym: GymRecord): void {
  const owns = principal.role === 'GYM_OWNER' && gym.ownerId === principal.userId;
  if (!owns && !isAdmin(principal)) throw new ForbiddenError('Only the gym owner can do this');
}

/** The user a record belongs to, or an admin. */
export function requireSelfOrAdmin(principal: Principal, userId: string): void {
  if (principal.userId !== userId && !isAdmin(principal)) throw new ForbiddenError();
}

/**
 * What a viewer may see of a user's memberships and check-ins: all of them (`atGymsOwnedBy:
 * null`) when they are that user or an admin; a gym owner those at the gyms they own; anyone else
 * none.
 */
export type PrivateVisibility = 'none' | { atGymsOwnedBy: string | null };

export function privateVisibility(viewer: Principal, userId: string): PrivateVisibility {
  if (viewer.userId === userId || isAdmin(viewer)) return { atGymsOwnedBy: null };
  return viewer.role === 'GYM_OWNER' ? { atGymsOwnedBy: viewer.userId } : 'none';
}
