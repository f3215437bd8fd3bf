import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  logs: (_, args, { logs, principal }) => logs.search(principal, args),
};
