import { loadConfig, subgraphConfigSchema } from '../src/config';

// When a subgraph migrates its database: at start by default, not in production (a job does).

const schema = subgraphConfigSchema({});
const production = {
  NODE_ENV: 'production',
  SERVICE_TOKEN_SECRET: 's'.repeat(32),
  DATABASE_URL: 'postgres://fitnexa@db:5432/fitnexa',
  DATABASE_ROLE_PASSWORD: 'role-password',
};

describe('MIGRATE_ON_START', () => {
  it('when unset outside production, then the subgraph migrates at start', () => {
    expect(loadConfig('svc', schema, {}).MIGRATE_ON_START).toBe(true);
    expect(loadConfig('svc', schema, { NODE_ENV: 'test' }).MIGRATE_ON_START).toBe(true);
  });

  it('when unset in production, then the subgraph leaves migrating to the migration command', () => {
    expect(loadConfig('svc', schema, production).MIGRATE_ON_START).toBe(false);
  });

  it('when set, then it decides in any environment', () => {
    expect(
      loadConfig('svc', schema, { ...production, MIGRATE_ON_START: 'true' }).MIGRATE_ON_START,
    ).toBe(true);
    expect(loadConfig('svc', schema, { MIGRATE_ON_START: 'false' }).MIGRATE_ON_START).toBe(false);
  });

  it('when it is not a boolean, then the config is refused', () => {
    expect(() => loadConfig('svc', schema, { MIGRATE_ON_START: 'sometimes' })).toThrow(
      /MIGRATE_ON_START/,
    );
  });
});
