import type { EventHandlers } from '@fitnexa/shared/events';
import type { FitnexaEvent } from '@fitnexa/shared/types';
import type { SquadRepositories } from '../data/repositories';
import type { ActivityData } from '../data/activities';
import type { SuccessorCandidates } from '../data/members';
import type { SquadTx } from '../db';
import type { ActivityKind } from '../generated/prisma/enums';
import type { LiveUpdates } from './realtime';
import type { ChallengeProgress, Contribution } from './progress';

/**
 * Who a deleted user's traces are attributed to where they stay (feed entries, challenges,
 * invitations they sent): a fixed id no user has, so the rows keep their shape and name nobody.
 */
export const DELETED_USER_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The feed entries that are about the deleted user alone (they joined, left or progressed), which
 * go with them; entries whose subject they are go too. What they did to the squad stays,
 * anonymized.
 */
const PERSONAL_ACTIVITY: readonly ActivityKind[] = [
  'MEMBER_JOINED',
  'MEMBER_LEFT',
  'CHALLENGE_PROGRESS',
  'CHALLENGE_COMPLETED',
];

/** What a completed workout counts towards: a session, and its volume when it had any. */
export function contributionsOfWorkout(
  event: FitnexaEvent<'workout.session.completed'>,
): Contribution[] {
  const { userId, completedAt, totalVolumeKg } = event.data;
  const occurredAt = new Date(completedAt);
  return [
    { userId, metric: 'SESSIONS', amount: 1, occurredAt },
    // A workout without weights (bodyweight, cardio) is a session, not volume.
    ...(totalVolumeKg > 0
      ? [{ userId, metric: 'TOTAL_VOLUME_KG' as const, amount: totalVolumeKg, occurredAt }]
      : []),
  ];
}

/** A check-in counts once towards check-in challenges. */
export function contributionsOfCheckIn(
  event: FitnexaEvent<'gym.checkin.recorded'>,
): Contribution[] {
  const { userId, checkedInAt } = event.data;
  return [{ userId, metric: 'CHECK_INS', amount: 1, occurredAt: new Date(checkedInAt) }];
}

/** Who takes a squad over from an owner who is gone: its longest-standing admin, else member. */
export const successorOf = (candidates: SuccessorCandidates): string | null =>
  candidates.admin ?? candidates.member;

export interface SquadEventDeps {
  repositories: SquadRepositories;
  progress: ChallengeProgress;
  live: LiveUpdates;
  now?: () => Date;
}

/**
 * The events squad consumes. Each handler works in the transaction that marks the event handled
 * (all its writes go through `tx`), and returns the live updates to publish after the commit.
 */
export function squadEventHandlers(deps: SquadEventDeps): EventHandlers<SquadTx> {
  const now = deps.now ?? (() => new Date());
  return {
    'workout.session.completed': async (event, tx) =>
      (await deps.progress.recordIn(tx, contributionsOfWorkout(event))).publish,
    'gym.checkin.recorded': async (event, tx) =>
      (await deps.progress.recordIn(tx, contributionsOfCheckIn(event))).publish,
    'identity.user.deleted': (event, tx) => eraseUser(deps, tx, event.data.userId, now()),
  };
}

/**
 * A deleted user leaves every squad (`squad.member.left` for each); the squads they owned go to
 * their successor, or, with nobody left, are deleted; their progress, join requests and
 * invitations go, and the feeds forget them (`PERSONAL_ACTIVITY`, `DELETED_USER_ID`).
 */
async function eraseUser(deps: SquadEventDeps, tx: SquadTx, userId: string, at: Date) {
  const { members, squads, activities, progress, joinRequests, invitations, challenges } =
    deps.repositories;
  const owned = await members.ownedBy(tx, userId);
  const handedOver: { squadId: string; to: string }[] = [];
  const orphaned: string[] = [];
  for (const candidates of await members.successorCandidates(tx, owned, userId)) {
    const successor = successorOf(candidates);
    if (successor) {
      await members.makeOwner(tx, candidates.squadId, successor);
      handedOver.push({ squadId: candidates.squadId, to: successor });
    } else {
      orphaned.push(candidates.squadId);
    }
  }
  await activities.eraseUser(tx, userId, PERSONAL_ACTIVITY, DELETED_USER_ID);
  const left = await members.removeEverywhere(tx, userId);
  const deleted = new Set(await squads.deleteEmpty(tx, orphaned));
  const progressed = await progress.eraseUser(tx, userId);
  await joinRequests.eraseUser(tx, userId);
  await invitations.eraseUser(tx, userId, DELETED_USER_ID);
  await challenges.eraseCreator(tx, userId, DELETED_USER_ID);
  const entries: ActivityData[] = [
    ...handedOver.map(({ squadId, to }) => ({
      squadId,
      kind: 'OWNERSHIP_TRANSFERRED' as const,
      actorId: DELETED_USER_ID,
      subjectId: to,
      createdAt: at,
    })),
    // Live, these also end the deleted user's subscriptions to private squads.
    ...left
      .filter((squadId) => !deleted.has(squadId))
      .map((squadId) => ({
        squadId,
        kind: 'MEMBER_LEFT' as const,
        actorId: DELETED_USER_ID,
        createdAt: at,
      })),
  ];
  const written = await activities.create(tx, entries);
  return async () => {
    await deps.live.activities(written);
    // Their feed entries no longer name them: their sockets are taken out here.
    for (const squadId of left) await deps.live.membershipEnded(squadId, userId);
    await deps.progress.publishLeaderboards(
      progressed.filter(({ squadId }) => !deleted.has(squadId)),
    );
  };
}
