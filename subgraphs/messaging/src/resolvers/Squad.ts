import { callerOf } from '../domain/access';
import type { SquadResolvers } from '../generated/graphql';
import { viewOf } from './views';

// Squads are squad's; messaging adds their group chat. Membership is asked of squad (as the caller).
export const Squad: SquadResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  async conversation(squad, _, context) {
    const caller = callerOf(context);
    return viewOf(await context.conversations.ofSquad(caller, squad.id), caller.principal.userId);
  },
};
