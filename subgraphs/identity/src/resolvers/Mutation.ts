import { requireRole, requireUser } from '@fitnexa/shared/auth';
import type { Role } from '@fitnexa/shared/types';
import type { IdentityContext } from '../context';

export const Mutation = {
  register: (_: unknown, { input }: { input: unknown }, { accounts }: IdentityContext) =>
    accounts.register(input),

  login: (_: unknown, { input }: { input: unknown }, { accounts }: IdentityContext) =>
    accounts.login(input),

  refreshToken: (_: unknown, args: { refreshToken: string }, { accounts }: IdentityContext) =>
    accounts.refresh(args.refreshToken),

  logout: (_: unknown, args: { refreshToken: string }, { accounts }: IdentityContext) =>
    accounts.logout(args.refreshToken),

  updateProfile: (_: unknown, { input }: { input: unknown }, context: IdentityContext) =>
    context.accounts.updateProfile(requireUser(context), input),

  deleteAccount: (_: unknown, args: { password: string }, context: IdentityContext) =>
    context.accounts.deleteAccount(requireUser(context), args.password),

  setUserRole: (_: unknown, args: { userId: string; role: Role }, context: IdentityContext) =>
    context.accounts.setRole(requireRole(context, 'ADMIN'), args.userId, args.role),
};
