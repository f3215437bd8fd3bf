import type { Logger } from '@fitnexa/shared/logger';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import type { UserRepository } from './data/users';
import { hashPassword } from './domain/passwords';

export { DEMO_PASSWORD };
export const demoAccounts = Object.values(DEMO_USERS);

/** Seeds the demo accounts once: only into a database that has no users yet. */
export async function seedDemoAccounts(users: UserRepository, logger: Logger): Promise<boolean> {
  if ((await users.count()) > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const account of demoAccounts) await users.create({ ...account, passwordHash });
  logger.info('demo accounts seeded', { count: demoAccounts.length });
  return true;
}
