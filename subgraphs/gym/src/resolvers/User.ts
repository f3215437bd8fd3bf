import { requireUser } from '@fitnexa/shared/auth';
import { connection } from '@fitnexa/shared/graphql';
import { requireSelfOrAdmin, privateVisibility } from '../domain/access';
import { bookedClassesRequest } from '../domain/bookings';
import { checkInCursor, checkInPageRequest } from '../domain/check-ins';
import type { UserResolvers } from '../generated/graphql';

// Memberships and check-ins are shown as far as the viewer may see them (see privateVisibility),
// booked classes to the user and admins only, owned gyms to anyone. Every field is batched: a
// query over many users costs one query per field, not one per user.
export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  async memberships(user, { status }, context) {
    const visibility = privateVisibility(requireUser(context), user.id);
    if (visibility === 'none') return [];
    const memberships = await context.loaders.membershipsOfUser.load({
      userId: user.id,
      ...visibility,
    });
    return status
      ? memberships.filter((membership) => context.memberships.statusOf(membership) === status)
      : memberships;
  },

  async checkIns(user, args, context) {
    const visibility = privateVisibility(requireUser(context), user.id);
    const { first, after } = checkInPageRequest(args);
    const rows =
      visibility === 'none'
        ? []
        : await context.loaders.checkInPage.load({
            userId: user.id,
            take: first + 1,
            after,
            ...visibility,
          });
    return connection(rows, first, checkInCursor);
  },

  ownedGyms: (user, _, { loaders }) => loaders.ownedGymsByOwnerId.load(user.id),

  bookedClasses(user, args, context) {
    requireSelfOrAdmin(requireUser(context), user.id);
    return context.loaders.bookedClasses.load(bookedClassesRequest(user.id, args));
  },
};
