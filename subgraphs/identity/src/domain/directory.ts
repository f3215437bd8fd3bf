import { requireRole, type AuthContext } from '@fitnexa/shared/auth';
import { isUuid } from '@fitnexa/shared/db';
import { connection, pageRequest } from '@fitnexa/shared/graphql';
import type { UserRepository } from '../data/users';

/** The list of every account, for admins: pages by id. */
export class Directory {
  constructor(private readonly users: UserRepository) {}

  async page(context: AuthContext, args: { first?: number | null; after?: string | null }) {
    requireRole(context, 'ADMIN');
    const { first, after } = pageRequest(args);
    const rows = await this.users.page(first + 1, after && isUuid(after) ? after : null);
    return connection(rows, first, (user) => user.id);
  }
}
