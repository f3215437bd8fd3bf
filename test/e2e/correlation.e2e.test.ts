import {
  capturingLogger,
  dropServiceSchema,
  quietLogger,
  testDatabaseUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { startGateway } from '@fitnexa/supergraph';
import { startIdentityOnPostgres, supergraphSdl } from './support';

describe('correlation ids', () => {
  it("when a client sends x-correlation-id, then the gateway echoes it and identity's logs for that request carry it", async () => {
    const schema = uniqueName('fitnexa_identity');
    const identityLogs = capturingLogger('identity');
    const identity = await startIdentityOnPostgres(schema, 0, identityLogs.logger);
    const gateway = await startGateway({
      supergraphSdl,
      subgraphUrls: { identity: identity.url },
      jwksUrl: identity.jwksUrl,
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger('gateway'),
    });
    try {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': 'checkout-42' },
        body: JSON.stringify({
          query:
            'mutation { register(input: { email: "trace@example.test", password: "traceable 123", displayName: "T" }) { user { id } } }',
        }),
      });
      expect(response.headers.get('x-correlation-id')).toBe('checkout-42');
      const registered = identityLogs.entries.find((entry) => entry.message === 'user registered');
      expect(registered).toMatchObject({ service: 'identity', correlationId: 'checkout-42' });

      const anonymous = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': 'not a valid id!' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(anonymous.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await gateway.stop();
      await identity.stop();
      await dropServiceSchema(testDatabaseUrl(), schema);
    }
  });
});
