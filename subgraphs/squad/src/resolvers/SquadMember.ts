import type { SquadMemberResolvers } from '../generated/graphql';

export const SquadMember: SquadMemberResolvers = {
  user: (member) => ({ id: member.userId }),
};
