import { DateTime } from '@fitnexa/shared/graphql';
import type { Resolvers } from '../generated/graphql';
import { Exercise } from './Exercise';
import { ExerciseSet } from './ExerciseSet';
import { Mutation } from './Mutation';
import { PersonalRecord } from './PersonalRecord';
import { Query } from './Query';
import { User } from './User';
import { TemplateExercise } from './TemplateExercise';
import { WorkoutSession } from './WorkoutSession';

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  User,
  WorkoutSession,
  ExerciseSet,
  PersonalRecord,
  Exercise,
  TemplateExercise,
};
