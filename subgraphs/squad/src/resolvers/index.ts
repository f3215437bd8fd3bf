import { DateTime } from '@fitnexa/shared/graphql';
import type { Resolvers } from '../generated/graphql';
import { Challenge } from './Challenge';
import { JoinRequest } from './JoinRequest';
import { LeaderboardEntry } from './LeaderboardEntry';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Squad } from './Squad';
import { SquadActivity } from './SquadActivity';
import { SquadInvitation } from './SquadInvitation';
import { SquadMember } from './SquadMember';
import { Subscription } from './Subscription';
import { User } from './User';

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  Subscription,
  User,
  Squad,
  SquadMember,
  JoinRequest,
  SquadInvitation,
  Challenge,
  LeaderboardEntry,
  SquadActivity,
};
