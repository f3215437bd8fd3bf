import { timeCursor, timePageRequest } from '@fitnexa/shared/graphql';
import type { Principal } from '@fitnexa/shared/types';
import type { CheckInPosition, CheckInRecord, CheckInRepository } from '../data/check-ins';
import type { MembershipRepository } from '../data/memberships';
import type { Gyms } from './gyms';
import { requireActiveMembership } from './memberships';

/** Cursors of a user's check-ins: the position of the check-in in the list. */
export const checkInCursor = (checkIn: CheckInRecord) =>
  timeCursor(checkIn.checkedInAt, checkIn.id);

/** Validates the arguments of a page of check-ins (BAD_USER_INPUT otherwise). */
export function checkInPageRequest(args: { first?: number | null; after?: string | null }): {
  first: number;
  after: CheckInPosition | null;
} {
  const { first, after } = timePageRequest(args);
  return { first, after: after && { checkedInAt: after.at, id: after.id } };
}

export interface CheckInsDeps {
  checkIns: CheckInRepository;
  memberships: MembershipRepository;
  gyms: Gyms;
  now?: () => Date;
}

/**
 * Check-ins at a gym: members with an ACTIVE membership of it only. Each is published as
 * `gym.checkin.recorded`, recorded in the check-in's own transaction.
 */
export class CheckIns {
  private readonly now: () => Date;

  constructor(private readonly deps: CheckInsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async checkIn(principal: Principal, gymId: string): Promise<CheckInRecord> {
    const gym = await this.deps.gyms.find(gymId);
    const now = this.now();
    await requireActiveMembership(this.deps.memberships, principal.userId, gym.id, now);
    return this.deps.checkIns.create({ userId: principal.userId, gymId: gym.id, checkedInAt: now });
  }
}
