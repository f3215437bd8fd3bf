import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quietLogger, testTokenIssuer, TEST_SERVICE_TOKEN_SECRET } from '@fitnexa/shared/testing';
import type { RunningServer } from '@fitnexa/shared/server';
import { serverAudits } from 'graphql-http';
import { startGateway } from '../src';

const supergraphSdl = readFileSync(
  join(__dirname, '..', '..', 'schema', 'supergraph.graphql'),
  'utf8',
);

describe('the gateway and the GraphQL-over-HTTP spec', () => {
  let gateway: RunningServer;

  beforeAll(async () => {
    const issuer = await testTokenIssuer();
    gateway = await startGateway({
      supergraphSdl,
      verifyAccessToken: issuer.verify,
      serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET,
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger('gateway'),
    });
  });
  afterAll(() => gateway.stop());

  it("when graphql-http's server audits run against it, then none fails and none warns", async () => {
    const audits = serverAudits({ url: gateway.url });
    const results = await Promise.all(audits.map((audit) => audit.fn()));
    const problems = results
      .filter((result) => result.status === 'error' || result.status === 'warn')
      .map(
        (result) => `${result.status}: ${result.name}: ${'reason' in result ? result.reason : ''}`,
      );
    expect(results.length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });
});
