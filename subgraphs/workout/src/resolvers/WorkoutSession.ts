import { mayView } from '../domain/workouts';
import type { WorkoutSessionResolvers } from '../generated/graphql';

export const WorkoutSession: WorkoutSessionResolvers = {
  // Another subgraph's reference to a session the caller may not see resolves to null.
  async __resolveReference(reference, context) {
    const session = await context.loaders.sessionById.load(reference.id);
    return session && mayView(context.principal, session) ? session : null;
  },

  user: (session) => ({ id: session.userId }),

  gym: (session) => (session.gymId ? { id: session.gymId } : null),

  sets: (session, _, { loaders }) => loaders.setsBySessionId.load(session.id),
};
