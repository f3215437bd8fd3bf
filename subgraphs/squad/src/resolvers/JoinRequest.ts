import type { JoinRequestResolvers } from '../generated/graphql';
import { visibleSquad } from './visibility';

export const JoinRequest: JoinRequestResolvers = {
  // The requester does not see a PRIVATE squad before they are let in.
  squad: async (request, _, context) =>
    visibleSquad(context, await context.loaders.squadById.load(request.squadId)),

  user: (request) => ({ id: request.userId }),
};
