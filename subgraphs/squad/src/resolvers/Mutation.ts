import { requireUser } from '@fitnexa/shared/auth';
import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  createSquad: (_, { input }, context) => context.squads.create(requireUser(context), input),

  updateSquad: (_, { id, input }, context) =>
    context.squads.update(requireUser(context), id, input),

  joinSquad: (_, { squadId }, context) => context.memberships.join(requireUser(context), squadId),

  requestToJoin: (_, { squadId }, context) =>
    context.memberships.requestToJoin(requireUser(context), squadId),

  approveJoinRequest: (_, { requestId }, context) =>
    context.memberships.approveJoinRequest(requireUser(context), requestId),

  declineJoinRequest: (_, { requestId }, context) =>
    context.memberships.declineJoinRequest(requireUser(context), requestId),

  inviteToSquad: (_, { squadId, userId }, context) =>
    context.memberships.invite(requireUser(context), squadId, userId),

  acceptInvitation: (_, { invitationId }, context) =>
    context.memberships.acceptInvitation(requireUser(context), invitationId),

  leaveSquad: (_, { squadId }, context) => context.memberships.leave(requireUser(context), squadId),

  removeMember: (_, { squadId, userId }, context) =>
    context.memberships.remove(requireUser(context), squadId, userId),

  setMemberRole: (_, { squadId, userId, role }, context) =>
    context.memberships.setRole(requireUser(context), squadId, userId, role),

  transferSquadOwnership: (_, { squadId, userId }, context) =>
    context.memberships.transferOwnership(requireUser(context), squadId, userId),

  createChallenge: (_, { input }, context) =>
    context.challenges.create(requireUser(context), input),
};
