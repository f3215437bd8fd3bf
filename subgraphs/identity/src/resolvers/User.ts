import type { IdentityContext } from '../context';
import type { UserRecord } from '../data/users';

export const User = {
  __resolveReference: (reference: { id: string }, context: IdentityContext) =>
    context.userById.load(reference.id),

  email(user: UserRecord & { viewedBySelf?: boolean }, _: unknown, { principal }: IdentityContext) {
    const mayRead =
      user.viewedBySelf ||
      (principal && (principal.userId === user.id || principal.role === 'ADMIN'));
    return mayRead ? user.email : null;
  },
};
