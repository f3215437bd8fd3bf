import type { Logger } from '@fitnexa/shared/logger';
import type { Role } from '@fitnexa/shared/types';
import type { UserRepository } from './data/users';
import { hashPassword } from './domain/passwords';

/** Demo accounts for the embedded default; known passwords, so never seeded in production. */
export const DEMO_PASSWORD = 'fitnexa-demo-1';
export const demoAccounts: { email: string; displayName: string; role: Role }[] = [
  { email: 'member@fitnexa.dev', displayName: 'Maya Member', role: 'MEMBER' },
  { email: 'coach@fitnexa.dev', displayName: 'Carlos Coach', role: 'COACH' },
  { email: 'owner@fitnexa.dev', displayName: 'Olivia Owner', role: 'GYM_OWNER' },
  { email: 'admin@fitnexa.dev', displayName: 'Adam Admin', role: 'ADMIN' },
];

/** Seeds the demo accounts once: only into a database that has no users yet. */
export async function seedDemoAccounts(users: UserRepository, logger: Logger): Promise<boolean> {
  if ((await users.count()) > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const account of demoAccounts) await users.create({ ...account, passwordHash });
  logger.info('demo accounts seeded', { count: demoAccounts.length });
  return true;
}
