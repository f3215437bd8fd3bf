import { requireRole, requireUser } from '@fitnexa/shared/auth';
import type { MutationResolvers } from '../generated/graphql';

export const Mutation: MutationResolvers = {
  register: (_, { input }, { accounts }) => accounts.register(input),

  login: (_, { input }, { accounts }) => accounts.login(input),

  refreshToken: (_, args, { accounts }) => accounts.refresh(args.refreshToken),

  logout: (_, args, { accounts }) => accounts.logout(args.refreshToken),

  updateProfile: (_, { input }, context) =>
    context.accounts.updateProfile(requireUser(context), input),

  deleteAccount: (_, args, context) =>
    context.accounts.deleteAccount(requireUser(context), args.password),

  setUserRole: (_, args, context) =>
    context.accounts.setRole(requireRole(context, 'ADMIN'), args.userId, args.role),
};
