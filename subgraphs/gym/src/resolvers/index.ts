import { DateTime } from '@fitnexa/shared/graphql';
import type { Resolvers } from '../generated/graphql';
import { CheckIn } from './CheckIn';
import { ClassBooking } from './ClassBooking';
import { Gym } from './Gym';
import { GymClass } from './GymClass';
import { Membership } from './Membership';
import { MembershipPlan } from './MembershipPlan';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { User } from './User';

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  User,
  Gym,
  MembershipPlan,
  Membership,
  GymClass,
  ClassBooking,
  CheckIn,
};
