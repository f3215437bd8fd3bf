import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import type { AuthPayloadResolvers, Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { User, type SelfViewedUser } from './User';

const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: (value) => new Date(String(value)),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return new Date(ast.value);
  },
});

// Whoever holds a fresh session is that user, even though the request carried no token.
const AuthPayload: AuthPayloadResolvers = {
  user: (session): SelfViewedUser => ({ ...session.user, viewedBySelf: true }),
};

export const resolvers: Resolvers = { DateTime, Query, Mutation, User, AuthPayload };
