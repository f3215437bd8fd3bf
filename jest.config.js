// One runner for the whole monorepo. `npm test` runs every project: "component" (each service or
// module on its own, against the real PostgreSQL, Redis and RabbitMQ), "e2e" (the composed
// graph) and "browser" (pages in a real Chromium); `npm run test:e2e` and `npm run test:browser`
// run one of the latter. TypeScript goes through swc (types are checked by `npm run check:types`).
const transform = {
  '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
// jose and a few other dependencies ship ESM only; swc turns them into CommonJS for jest.
const transformIgnorePatterns = ['/node_modules/(?!(jose)/)'];
const common = {
  transform,
  transformIgnorePatterns,
  testEnvironment: 'node',
  // @fitnexa/shared and @fitnexa/client run from their sources (their `fitnexa-source` exports,
  // docs/decisions/0015); the client imports with the `.js` extension Node's ESM needs, and jest
  // resolves those to the `.ts` files.
  testEnvironmentOptions: { customExportConditions: ['fitnexa-source', 'node', 'node-addons'] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  testTimeout: 30_000,
  // Jest's default is one worker per core but one: a single worker on these 2-core machines. The
  // suites mostly wait on PostgreSQL, Redis and RabbitMQ, so three keep both cores busy.
  maxWorkers: 3,
  projects: [
    {
      ...common,
      displayName: 'component',
      testMatch: ['<rootDir>/{shared,supergraph,subgraphs/*,clients/*,scripts,test}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.(e2e|browser)\\.test\\.ts$'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'] },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser.test.ts'],
    },
  ],
};
