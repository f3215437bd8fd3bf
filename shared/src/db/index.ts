export {
  keysetPages,
  rowsPerRequest,
  type KeysetPageRequest,
  type KeysetTable,
  type PerRequestQuery,
  type RawQueries,
  type RequestColumns,
} from './keyset-pages';
export { applyMigrations, readMigrations, MigrationError, type Migration } from './migrations';
export { provisionServiceRole, urlForRole, withConnection, pgSession } from './postgres';
export {
  ensurePgliteTemplate,
  initialiseFromTemplate,
  isInitialised,
  pgliteTemplateDir,
} from './pglite-template';
export { openPrismaDatabase, QUERY_EVENTS, type PrismaDatabase } from './prisma';
export { groupBy, indexBy, isPrismaError, isUuid } from './rows';
export { compilePgliteEarly } from './shared-pglite';
export {
  openServiceDatabase,
  type DatabaseLocation,
  type ServiceDatabase,
  type ServiceDatabaseOptions,
} from './service-database';
export { quoteIdent, type SqlSession } from './sql';
