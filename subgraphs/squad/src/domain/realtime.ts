import {
  judged,
  removeFromRoom,
  type EventHub,
  type RealtimeEvent,
} from '@fitnexa/shared/realtime';
import type { ActivityRecord } from '../data/activities';
import type { LeaderboardEntryRecord } from '../data/progress';

// What squad publishes live, and where. Each change is published once to the hub, in the room of
// its squad: GraphQL subscribers read the room from the hub, socket.io clients that joined the
// socket.io room of the same name get it from the shared bridge.

export const squadRoom = (squadId: string) => `squad:${squadId}`;

/** A new entry of the squad's feed; the payload is an `ActivityEvent`. */
export const ACTIVITY_EVENT = 'squad:activity';
/** A challenge's new leaderboard, after a member's progress in it changed; a `LeaderboardEvent`. */
export const LEADERBOARD_EVENT = 'challenge:leaderboard';

/** How many entries a live leaderboard carries. */
export const LIVE_LEADERBOARD_SIZE = 20;

// Payloads are JSON, as Redis carries them and socket.io clients receive them: dates as ISO strings.

export type ActivityEvent = Omit<ActivityRecord, 'createdAt'> & { createdAt: string };

export interface LeaderboardEvent {
  challengeId: string;
  entries: (Omit<LeaderboardEntryRecord, 'reachedAt' | 'completedAt'> & {
    reachedAt: string | null;
    completedAt: string | null;
  })[];
}

const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;
const dateOrNull = (iso: string | null) => (iso === null ? null : new Date(iso));

export const activityOf = (event: ActivityEvent): ActivityRecord => ({
  ...event,
  createdAt: new Date(event.createdAt),
});

export const leaderboardOf = (event: LeaderboardEvent): LeaderboardEntryRecord[] =>
  event.entries.map((entry) => ({
    ...entry,
    reachedAt: dateOrNull(entry.reachedAt),
    completedAt: dateOrNull(entry.completedAt),
  }));

/**
 * Feed entries that may end someone's right to see a PRIVATE squad: a member left or was removed,
 * or the squad was edited (perhaps made PRIVATE).
 */
const mayRevokeAccess = (activity: Pick<ActivityRecord, 'kind'>) =>
  activity.kind === 'MEMBER_LEFT' ||
  activity.kind === 'MEMBER_REMOVED' ||
  activity.kind === 'SQUAD_UPDATED';

/** Publishes squad's live updates, and reads them back for GraphQL subscriptions. */
export class LiveUpdates {
  constructor(private readonly hub: EventHub) {}

  async activities(activities: readonly ActivityRecord[]): Promise<void> {
    for (const activity of activities) {
      const event: ActivityEvent = { ...activity, createdAt: activity.createdAt.toISOString() };
      await this.hub.publish(squadRoom(activity.squadId), ACTIVITY_EVENT, event);
    }
  }

  /**
   * The user left the squad, was removed or deleted: their sockets leave its room on every
   * instance, after its events so far (the feed entry of their leaving included). They may join
   * again while they may see the squad.
   */
  membershipEnded(squadId: string, userId: string): Promise<void> {
    return removeFromRoom(this.hub, squadRoom(squadId), userId);
  }

  leaderboard(squadId: string, challengeId: string, entries: LeaderboardEntryRecord[]) {
    const event: LeaderboardEvent = {
      challengeId,
      entries: entries.map((entry) => ({
        ...entry,
        reachedAt: isoOrNull(entry.reachedAt),
        completedAt: isoOrNull(entry.completedAt),
      })),
    };
    return this.hub.publish(squadRoom(squadId), LEADERBOARD_EVENT, event);
  }

  /**
   * The squad's new feed entries, for as long as the viewer may see the squad: after an entry
   * that may have ended that (`mayRevokeAccess`), `stillAllowed` decides whether the stream goes on.
   */
  activityEvents(
    squadId: string,
    stillAllowed: () => Promise<boolean>,
  ): AsyncIterableIterator<RealtimeEvent<ActivityEvent>> {
    return judged(
      this.hub.events<ActivityEvent>(squadRoom(squadId), [ACTIVITY_EVENT]),
      async (event) => (!mayRevokeAccess(event.payload) || (await stillAllowed()) ? 'pass' : 'end'),
    );
  }

  /** The challenge's new leaderboards, for as long as the viewer may see its squad. */
  leaderboardEvents(
    squadId: string,
    challengeId: string,
    stillAllowed: () => Promise<boolean>,
  ): AsyncIterableIterator<RealtimeEvent<LeaderboardEvent>> {
    // Feed entries come along only to learn when access may have ended; they are not passed on.
    const events = this.hub.events<LeaderboardEvent | ActivityEvent>(squadRoom(squadId), [
      LEADERBOARD_EVENT,
      ACTIVITY_EVENT,
    ]);
    return judged(events, async (event) => {
      if (event.name === LEADERBOARD_EVENT) {
        return (event.payload as LeaderboardEvent).challengeId === challengeId ? 'pass' : 'skip';
      }
      return !mayRevokeAccess(event.payload as ActivityEvent) || (await stillAllowed())
        ? 'skip'
        : 'end';
    }) as AsyncIterableIterator<RealtimeEvent<LeaderboardEvent>>;
  }
}
