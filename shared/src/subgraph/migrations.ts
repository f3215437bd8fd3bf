import { openServiceDatabase } from '../db';
import { createLogger } from '../logger/node';
import { exitOnFailure, type ProcessConfig } from '../server/process';

/** A subgraph's `npm run db:migrate`: applies pending migrations without starting the service. */
export function runMigrations(
  service: string,
  migrationsDir: string,
  config: ProcessConfig & {
    DATABASE_URL?: string;
    DATABASE_ROLE_PASSWORD?: string;
    DATA_DIR: string;
  },
): void {
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  openServiceDatabase({
    service,
    migrationsDir,
    url: config.DATABASE_URL,
    rolePassword: config.DATABASE_ROLE_PASSWORD,
    dataDir: config.DATA_DIR,
    logger,
  })
    .then((db) => db.close())
    .then(
      () => logger.info(`${service} database migrated`),
      exitOnFailure(logger, `${service} migration failed`),
    );
}
