import { DateTime } from '@fitnexa/shared/graphql';
import type { AuthPayloadResolvers, Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { User, type SelfViewedUser } from './User';

// Whoever holds a fresh session is that user, even though the request carried no token.
const AuthPayload: AuthPayloadResolvers = {
  user: (session): SelfViewedUser => ({ ...session.user, viewedBySelf: true }),
};

export const resolvers: Resolvers = { DateTime, Query, Mutation, User, AuthPayload };
