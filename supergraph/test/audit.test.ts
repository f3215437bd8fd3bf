import { testTokenIssuer } from '@fitnexa/shared/testing';
import type { RunningServer } from '@fitnexa/shared/server';
import { serverAudits } from 'graphql-http';
import { startTestGateway } from './kit';

describe('the gateway and the GraphQL-over-HTTP spec', () => {
  let gateway: RunningServer;

  beforeAll(async () => {
    const issuer = await testTokenIssuer();
    gateway = await startTestGateway({
      verifyAccessToken: issuer.verify,
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
