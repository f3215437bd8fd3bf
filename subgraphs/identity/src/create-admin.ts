// The first administrator: `node dist/create-admin.js` in identity's image (from sources:
// `npm run admin:create -w @fitnexa/identity`). Makes ADMIN_EMAIL an administrator, creating the
// account with ADMIN_PASSWORD (and ADMIN_DISPLAY_NAME) when there is none; safe to run again.
// It reads identity's own config (DATABASE_URL, DATABASE_ROLE_PASSWORD, MIGRATE_ON_START).
import { createEventOutbox } from '@fitnexa/shared/events';
import { errorMessage } from '@fitnexa/shared/errors';
import { createLogger } from '@fitnexa/shared/logger';
import { loadAdminAccountConfig, loadIdentityConfig } from './config';
import { UserRepository } from './data/users';
import { openIdentityDatabase } from './db';
import { ensureAdmin } from './domain/admins';

const config = loadIdentityConfig();
const admin = loadAdminAccountConfig();
const logger = createLogger({ service: 'identity', level: config.LOG_LEVEL });

async function createAdmin() {
  const database = await openIdentityDatabase({
    url: config.DATABASE_URL,
    rolePassword: config.DATABASE_ROLE_PASSWORD,
    dataDir: config.DATA_DIR,
    migrate: config.MIGRATE_ON_START,
    logger,
  });
  try {
    // The running service's outbox relay publishes the `identity.user.registered` this records.
    const users = new UserRepository(database.prisma, createEventOutbox('identity'));
    return await ensureAdmin(users, {
      email: admin.ADMIN_EMAIL,
      password: admin.ADMIN_PASSWORD,
      displayName: admin.ADMIN_DISPLAY_NAME,
    });
  } finally {
    await database.close();
  }
}

createAdmin().then(
  ({ user, outcome }) =>
    logger.info(`administrator ${outcome}`, { userId: user.id, email: user.email }),
  (error: unknown) => {
    logger.error('creating the administrator failed', { error: errorMessage(error) });
    process.exitCode = 1;
  },
);
