import { startGateway } from '@fitnexa/supergraph';
import {
  dropServiceSchema,
  quietLogger,
  testDatabaseUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { startIdentityOnPostgres, supergraphSdl } from './support';

describe('gateway readiness', () => {
  it('when identity stops, then /health/ready is 503 naming it, and 200 again once it is back', async () => {
    const schema = uniqueName('fitnexa_identity');
    let identity = await startIdentityOnPostgres(schema);
    const gateway = await startGateway({
      supergraphSdl,
      subgraphUrls: { identity: identity.url },
      jwksUrl: identity.jwksUrl,
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger('gateway'),
    });
    const ready = async () => {
      const response = await fetch(gateway.url.replace('/graphql', '/health/ready'));
      return { status: response.status, body: await response.json() };
    };
    try {
      const up = await ready();
      expect(up.status).toBe(200);
      expect(up.body.subgraphs.identity).toMatchObject({
        status: 'up',
        latencyMs: expect.any(Number),
      });

      await identity.stop();
      const down = await ready();
      expect(down.status).toBe(503);
      expect(down.body.notReady).toEqual(['identity']);

      identity = await startIdentityOnPostgres(schema, identity.port);
      expect((await ready()).status).toBe(200);
      const live = await fetch(gateway.url.replace('/graphql', '/health/live'));
      expect(live.status).toBe(200);
    } finally {
      await gateway.stop();
      await identity.stop();
      await dropServiceSchema(testDatabaseUrl(), schema);
    }
  });
});
