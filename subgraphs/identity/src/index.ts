export {
  startIdentity,
  rotateSigningKey,
  JWKS_PATH,
  type IdentityOptions,
  type IdentityServer,
} from './server';
export { loadIdentityConfig, type IdentityConfig } from './config';
export { DEMO_PASSWORD, demoAccounts } from './seed';
export { migrationsDir } from './db';
