import { connection, timePageRequest } from '@fitnexa/shared/graphql';
import { requireManager } from '../domain/access';
import { challengeCursor } from '../domain/challenges';
import { joinRequestCursor, memberCursor } from '../domain/memberships';
import type { SquadResolvers } from '../generated/graphql';
import { requireInside, viewerRole, visibleSquad } from './visibility';

// Lists are batched per field: a query over many squads costs one query per field, not per squad.
export const Squad: SquadResolvers = {
  // Another subgraph's reference to a squad the viewer may not see resolves to null.
  __resolveReference: async (reference, context) =>
    visibleSquad(context, await context.loaders.squadById.load(reference.id)),

  homeGym: (squad) => (squad.homeGymId ? { id: squad.homeGymId } : null),

  owner: (squad) => ({ id: squad.ownerId }),

  memberCount: (squad, _, { loaders }) => loaders.memberCount.load(squad.id),

  myRole: (squad, _, context) => viewerRole(context, squad.id),

  async members(squad, args, context) {
    await requireInside(context, squad);
    const { first, after } = timePageRequest(args);
    const rows = await context.loaders.memberPage.load({
      squadId: squad.id,
      take: first + 1,
      after,
    });
    return connection(rows, first, memberCursor);
  },

  async challenges(squad, args, context) {
    await requireInside(context, squad);
    const { first, after } = timePageRequest(args);
    const rows = await context.loaders.challengePage.load({
      squadId: squad.id,
      take: first + 1,
      after,
    });
    return connection(rows, first, challengeCursor);
  },

  async joinRequests(squad, args, context) {
    requireManager(await viewerRole(context, squad.id));
    const { first, after } = timePageRequest(args);
    const rows = await context.loaders.joinRequestPage.load({
      squadId: squad.id,
      take: first + 1,
      after,
    });
    return connection(rows, first, joinRequestCursor);
  },
};
