import type { UserRecord } from '../data/users';
import type { UserResolvers } from '../generated/graphql';

/** A user as AuthPayload hands it out: to the person who just proved they are that user. */
export type SelfViewedUser = UserRecord & { viewedBySelf?: boolean };

export const User: UserResolvers = {
  __resolveReference: (reference, context) => context.userById.load(reference.id),

  email(user: SelfViewedUser, _, { principal }) {
    const mayRead =
      user.viewedBySelf ||
      (principal && (principal.userId === user.id || principal.role === 'ADMIN'));
    return mayRead ? user.email : null;
  },
};
