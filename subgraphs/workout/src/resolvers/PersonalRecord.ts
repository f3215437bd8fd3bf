import type { PersonalRecordResolvers } from '../generated/graphql';
import { exerciseOf } from './exercises';

export const PersonalRecord: PersonalRecordResolvers = {
  exercise: (record, _, context) => exerciseOf(record.exerciseId, context),

  async set(record, _, { loaders }) {
    const set = await loaders.setById.load(record.setId);
    // The foreign key cascades: a record never outlives its set.
    if (!set) throw new Error(`Set ${record.setId} of a personal record is missing`);
    return set;
  },
};
