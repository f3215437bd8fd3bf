import type { GymResolvers } from '../generated/graphql';

export const Gym: GymResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.gymById.load(reference.id),

  location: (gym) => ({ lat: gym.latitude, lng: gym.longitude }),

  owner: (gym) => ({ id: gym.ownerId }),

  plans: (gym, _, { loaders }) => loaders.plansByGymId.load(gym.id),
};
