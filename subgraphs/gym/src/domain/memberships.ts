import { ConflictError, ForbiddenError, NotFoundError } from '@fitnexa/shared/errors';
import type { Principal } from '@fitnexa/shared/types';
import type { MembershipRecord, MembershipRepository } from '../data/memberships';
import type { PlanRepository } from '../data/plans';
import type { BillingPeriod, MembershipStatus } from '../generated/prisma/enums';
import { requireSelfOrAdmin } from './access';

const MONTHS_PER_PERIOD: Record<BillingPeriod, number> = { MONTHLY: 1, QUARTERLY: 3, YEARLY: 12 };

/**
 * The end of one billing period starting at `start`, in calendar months (UTC); a start late in a
 * month ends on the last day of a shorter one (31 January + 1 month = 28 or 29 February).
 */
export function periodEnd(start: Date, period: BillingPeriod): Date {
  const months = start.getUTCMonth() + MONTHS_PER_PERIOD[period];
  const end = new Date(start);
  end.setUTCDate(1);
  end.setUTCMonth(months);
  const daysInMonth = new Date(
    Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0),
  ).getUTCDate();
  end.setUTCDate(Math.min(start.getUTCDate(), daysInMonth));
  return end;
}

/** A membership's status at `now`: an ACTIVE one past its end date has EXPIRED. */
function statusAt(membership: MembershipRecord, now: Date): MembershipStatus {
  return membership.status === 'ACTIVE' && membership.endsAt <= now ? 'EXPIRED' : membership.status;
}

/** FORBIDDEN unless the user's membership of the gym is ACTIVE at `now`. */
export async function requireActiveMembership(
  memberships: MembershipRepository,
  userId: string,
  gymId: string,
  now: Date,
): Promise<void> {
  if (!(await memberships.findActive(userId, gymId, now))) {
    throw new ForbiddenError('You need an active membership of this gym');
  }
}

export interface MembershipsDeps {
  memberships: MembershipRepository;
  plans: PlanRepository;
  now?: () => Date;
}

/** Memberships: joining a gym on a plan, freezing, resuming and cancelling. */
export class Memberships {
  private readonly now: () => Date;

  constructor(private readonly deps: MembershipsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  statusOf(membership: MembershipRecord): MembershipStatus {
    return statusAt(membership, this.now());
  }

  /** An ACTIVE membership on the plan from now for one billing period; one live one per gym. */
  async join(principal: Principal, planId: string): Promise<MembershipRecord> {
    const [plan] = await this.deps.plans.findByIds([planId]);
    if (!plan) throw new NotFoundError('Membership plan');
    const now = this.now();
    const membership = await this.deps.memberships.start(
      {
        userId: principal.userId,
        gymId: plan.gymId,
        planId: plan.id,
        startsAt: now,
        endsAt: periodEnd(now, plan.period),
      },
      now,
    );
    if (!membership) {
      throw new ConflictError('You already have an active or frozen membership of this gym');
    }
    return membership;
  }

  async freeze(principal: Principal, id: string): Promise<MembershipRecord> {
    const membership = await this.ownMembership(principal, id);
    const now = this.now();
    const frozen =
      statusAt(membership, now) === 'ACTIVE'
        ? await this.deps.memberships.transition(
            id,
            { status: 'ACTIVE', runningAt: now },
            { status: 'FROZEN', frozenAt: now },
          )
        : null;
    if (!frozen) throw new ConflictError('Only an active membership can be frozen');
    return frozen;
  }

  /** Ends a freeze; the end date moves by the time spent frozen. */
  async resume(principal: Principal, id: string): Promise<MembershipRecord> {
    const membership = await this.ownMembership(principal, id);
    const { frozenAt } = membership;
    const resumed =
      membership.status === 'FROZEN' && frozenAt
        ? await this.deps.memberships.transition(
            id,
            { status: 'FROZEN', frozenAt },
            {
              status: 'ACTIVE',
              endsAt: new Date(
                membership.endsAt.getTime() + (this.now().getTime() - frozenAt.getTime()),
              ),
              frozenAt: null,
            },
          )
        : null;
    if (!resumed) throw new ConflictError('Only a frozen membership can be resumed');
    return resumed;
  }

  async cancel(principal: Principal, id: string): Promise<MembershipRecord> {
    const membership = await this.ownMembership(principal, id);
    const now = this.now();
    const status = statusAt(membership, now);
    const cancelled =
      status === 'ACTIVE' || status === 'FROZEN'
        ? await this.deps.memberships.transition(
            id,
            { status, ...(status === 'ACTIVE' ? { runningAt: now } : {}) },
            { status: 'CANCELLED', frozenAt: null },
          )
        : null;
    if (!cancelled) throw new ConflictError('Only an active or frozen membership can be cancelled');
    return cancelled;
  }

  /** The membership, when it is the principal's own or the principal is an admin. */
  private async ownMembership(principal: Principal, id: string): Promise<MembershipRecord> {
    const membership = await this.deps.memberships.findById(id);
    if (!membership) throw new NotFoundError('Membership');
    requireSelfOrAdmin(principal, membership.userId);
    return membership;
  }
}
