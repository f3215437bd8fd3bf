import { requireUser } from '@fitnexa/shared/auth';
import type { RealtimeEvent } from '@fitnexa/shared/realtime';
import {
  activityOf,
  leaderboardOf,
  type ActivityEvent,
  type LeaderboardEvent,
} from '../domain/realtime';
import type { SubscriptionResolvers } from '../generated/graphql';

// Access is checked before the iterator is returned, so graphql-ws answers a refused subscription
// with an error message at once; it is checked again whenever a feed entry may have ended it.
export const Subscription: SubscriptionResolvers = {
  squadActivity: {
    async subscribe(_, { squadId }, context) {
      const principal = requireUser(context);
      const squad = await context.squads.requireVisible(principal, squadId);
      return context.live.activityEvents(squad.id, async () =>
        Boolean(await context.squads.visible(principal, squad.id)),
      );
    },
    resolve: (event: RealtimeEvent<ActivityEvent>) => activityOf(event.payload),
  },

  challengeLeaderboard: {
    async subscribe(_, { challengeId }, context) {
      const principal = requireUser(context);
      const challenge = await context.challenges.requireVisible(principal, challengeId);
      return context.live.leaderboardEvents(challenge.squadId, challenge.id, async () =>
        Boolean(await context.squads.visible(principal, challenge.squadId)),
      );
    },
    resolve: (event: RealtimeEvent<LeaderboardEvent>) => leaderboardOf(event.payload),
  },
};
