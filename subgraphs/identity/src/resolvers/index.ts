import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import type { Session } from '../domain/accounts';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { User } from './User';

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
const AuthPayload = { user: (session: Session) => ({ ...session.user, viewedBySelf: true }) };

export const resolvers = { DateTime, Query, Mutation, User, AuthPayload };
