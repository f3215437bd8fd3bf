import { ConflictError, ForbiddenError, NotFoundError, parseInput } from '@fitnexa/shared/errors';
import { timeCursor } from '@fitnexa/shared/graphql';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { ActivityData } from '../data/activities';
import type { InvitationRecord, InvitationRepository } from '../data/invitations';
import type { JoinRequestRecord, JoinRequestRepository } from '../data/join-requests';
import type { JoinedThrough, MemberRecord, MemberRepository } from '../data/members';
import type { SquadRecord } from '../data/squads';
import type { SquadRole } from '../generated/prisma/enums';
import { removableBy, requireManager, requireOwner } from './access';
import type { LiveUpdates } from './realtime';
import type { Squads } from './squads';
import { uuid } from './validation';

/** Cursors of a squad's members: the position of the member in the list. */
export const memberCursor = (member: MemberRecord) => timeCursor(member.joinedAt, member.userId);

/** Cursors of a squad's join requests: the position of the request in the list. */
export const joinRequestCursor = (request: JoinRequestRecord) =>
  timeCursor(request.requestedAt, request.id);

const memberInput = z.object({ userId: uuid });

const roleInput = z.object({
  role: z.enum(['ADMIN', 'MEMBER'], {
    error: 'must be ADMIN or MEMBER (ownership is handed over with transferSquadOwnership)',
  }),
});

const alreadyMember = () => new ConflictError('You are a member of this squad already');
const notAMember = () => new NotFoundError('Squad member');
/** A concurrent change got there first. */
const changedMeanwhile = () =>
  new ConflictError('The squad changed meanwhile; read it again and retry');

export interface MembershipsDeps {
  squads: Squads;
  members: MemberRepository;
  joinRequests: JoinRequestRepository;
  invitations: InvitationRepository;
  live: LiveUpdates;
  now?: () => Date;
}

/**
 * Who belongs to a squad: joining (directly, by request or by invitation), leaving, removing,
 * roles and ownership. Every change writes its feed entry with it and publishes that once.
 */
export class Memberships {
  private readonly now: () => Date;

  constructor(private readonly deps: MembershipsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Joins a PUBLIC squad as MEMBER. */
  async join(principal: Principal, squadId: string): Promise<MemberRecord> {
    const squad = await this.deps.squads.find(squadId);
    if (await this.deps.squads.roleOf(squad.id, principal.userId)) throw alreadyMember();
    if (squad.visibility === 'PRIVATE') {
      throw new ForbiddenError('This squad is private: ask to join it, or accept an invitation');
    }
    return this.add(squad.id, principal.userId, null);
  }

  /** Asks to join a PRIVATE squad; its OWNER or an ADMIN answers. */
  async requestToJoin(principal: Principal, squadId: string): Promise<JoinRequestRecord> {
    const squad = await this.deps.squads.find(squadId);
    if (await this.deps.squads.roleOf(squad.id, principal.userId)) throw alreadyMember();
    if (squad.visibility === 'PUBLIC') {
      throw new ConflictError('This squad is public: join it directly');
    }
    const request = await this.deps.joinRequests.create({
      squadId: squad.id,
      userId: principal.userId,
      requestedAt: this.now(),
    });
    if (!request) throw new ConflictError('You have asked to join this squad already');
    return request;
  }

  async approveJoinRequest(principal: Principal, requestId: string): Promise<MemberRecord> {
    const request = await this.openJoinRequest(principal, requestId);
    return this.add(request.squadId, request.userId, 'joinRequest');
  }

  async declineJoinRequest(principal: Principal, requestId: string): Promise<true> {
    const request = await this.openJoinRequest(principal, requestId);
    if (!(await this.deps.joinRequests.delete(request.id))) throw new NotFoundError('Join request');
    return true;
  }

  /** OWNER or ADMIN invite a user who is neither a member nor invited already. */
  async invite(principal: Principal, squadId: string, userId: string): Promise<InvitationRecord> {
    const invitee = parseInput(memberInput, { userId }).userId;
    const squad = await this.managed(principal, squadId);
    if (await this.deps.squads.roleOf(squad.id, invitee)) {
      throw new ConflictError('This user is a member of the squad already');
    }
    const invitation = await this.deps.invitations.create({
      squadId: squad.id,
      userId: invitee,
      invitedById: principal.userId,
      invitedAt: this.now(),
    });
    if (!invitation) throw new ConflictError('This user is invited to the squad already');
    return invitation;
  }

  /** The principal's open invitations, newest first. */
  invitationsOf(principal: Principal): Promise<InvitationRecord[]> {
    return this.deps.invitations.ofUser(principal.userId);
  }

  /** Only the invitee accepts; to anyone else the invitation does not exist. */
  async acceptInvitation(principal: Principal, invitationId: string): Promise<MemberRecord> {
    const invitation = await this.deps.invitations.findById(invitationId);
    if (!invitation || invitation.userId !== principal.userId) {
      throw new NotFoundError('Invitation');
    }
    return this.add(invitation.squadId, invitation.userId, 'invitation');
  }

  /** A member leaves; the OWNER only after handing ownership over. */
  async leave(principal: Principal, squadId: string): Promise<true> {
    const role = await this.deps.squads.roleOf(squadId, principal.userId);
    if (!role) throw notAMember();
    if (role === 'OWNER') {
      throw new ConflictError(
        'The owner cannot leave the squad; hand ownership over first (transferSquadOwnership)',
      );
    }
    const activity = await this.deps.members.remove(
      { squadId, userId: principal.userId },
      ['ADMIN', 'MEMBER'],
      this.activity(squadId, principal, 'MEMBER_LEFT'),
    );
    if (!activity) throw changedMeanwhile();
    await this.deps.live.activities([activity]);
    await this.deps.live.membershipEnded(squadId, principal.userId);
    return true;
  }

  /** The OWNER removes anyone else, an ADMIN MEMBERs only. */
  async remove(principal: Principal, squadId: string, userId: string): Promise<true> {
    const member = parseInput(memberInput, { userId }).userId;
    const role = await this.deps.squads.roleOf(squadId, principal.userId);
    requireManager(role);
    if (member === principal.userId) {
      throw new ConflictError('To leave the squad yourself, use leaveSquad');
    }
    const memberRole = await this.deps.squads.roleOf(squadId, member);
    if (!memberRole) throw notAMember();
    const removable = removableBy(role);
    if (!removable.includes(memberRole)) {
      throw new ForbiddenError(`You cannot remove the squad's ${memberRole.toLowerCase()}`);
    }
    const activity = await this.deps.members.remove(
      { squadId, userId: member },
      removable,
      this.activity(squadId, principal, 'MEMBER_REMOVED', { subjectId: member }),
    );
    if (!activity) throw changedMeanwhile();
    await this.deps.live.activities([activity]);
    await this.deps.live.membershipEnded(squadId, member);
    return true;
  }

  /** The OWNER makes a member ADMIN or MEMBER. */
  async setRole(
    principal: Principal,
    squadId: string,
    userId: string,
    role: SquadRole,
  ): Promise<MemberRecord> {
    const member = parseInput(memberInput, { userId }).userId;
    const given = parseInput(roleInput, { role }).role;
    requireOwner(await this.deps.squads.roleOf(squadId, principal.userId));
    const current = await this.deps.members.find(squadId, member);
    if (!current) throw notAMember();
    if (current.role === 'OWNER') {
      throw new ConflictError("The owner's role changes only by handing ownership over");
    }
    if (current.role === given) return current;
    const changed = await this.deps.members.setRole(
      { squadId, userId: member },
      ['ADMIN', 'MEMBER'],
      given,
      this.activity(squadId, principal, 'MEMBER_ROLE_CHANGED', { subjectId: member, role: given }),
    );
    if (!changed) throw changedMeanwhile();
    await this.deps.live.activities([changed.activity]);
    return changed.member;
  }

  /** The OWNER hands ownership over to a member and becomes an ADMIN. */
  async transferOwnership(
    principal: Principal,
    squadId: string,
    userId: string,
  ): Promise<SquadRecord> {
    const member = parseInput(memberInput, { userId }).userId;
    requireOwner(await this.deps.squads.roleOf(squadId, principal.userId));
    if (member === principal.userId) throw new ConflictError('You own this squad already');
    if (!(await this.deps.squads.roleOf(squadId, member))) throw notAMember();
    const activity = await this.deps.members.transferOwnership(
      squadId,
      principal.userId,
      member,
      this.activity(squadId, principal, 'OWNERSHIP_TRANSFERRED', { subjectId: member }),
    );
    if (!activity) throw changedMeanwhile();
    await this.deps.live.activities([activity]);
    return this.deps.squads.find(squadId);
  }

  /** Adds a MEMBER (using up what they joined through) and announces them. */
  private async add(squadId: string, userId: string, through: JoinedThrough) {
    const joinedAt = this.now();
    const joined = await this.deps.members.join(
      { squadId, userId, role: 'MEMBER', joinedAt },
      through,
      { squadId, kind: 'MEMBER_JOINED', actorId: userId, createdAt: joinedAt },
    );
    if (!joined) {
      throw new ConflictError(
        through
          ? 'This was answered already, or you are a member already'
          : 'You are a member of this squad already',
      );
    }
    await this.deps.live.activities([joined.activity]);
    return joined.member;
  }

  /** The squad, when the principal is its OWNER or an ADMIN of it. */
  private async managed(principal: Principal, squadId: string): Promise<SquadRecord> {
    const squad = await this.deps.squads.find(squadId);
    requireManager(await this.deps.squads.roleOf(squad.id, principal.userId));
    return squad;
  }

  /** An open request, when the principal runs its squad. */
  private async openJoinRequest(principal: Principal, requestId: string) {
    const request = await this.deps.joinRequests.findById(requestId);
    if (!request) throw new NotFoundError('Join request');
    requireManager(await this.deps.squads.roleOf(request.squadId, principal.userId));
    return request;
  }

  private activity(
    squadId: string,
    actor: Principal,
    kind: ActivityData['kind'],
    details: Pick<ActivityData, 'subjectId' | 'role'> = {},
  ): ActivityData {
    return { squadId, kind, actorId: actor.userId, createdAt: this.now(), ...details };
  }
}
