import { capturingLogger } from '@fitnexa/shared/testing';
import { startGraph } from './support';

describe('correlation ids', () => {
  it("when a client sends x-correlation-id, then the gateway echoes it and identity's logs for that request carry it", async () => {
    const identityLogs = capturingLogger('identity');
    const graph = await startGraph({ loggers: { identity: identityLogs.logger } });
    const post = (correlationId: string, query: string) =>
      fetch(graph.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
        body: JSON.stringify({ query }),
      });
    try {
      const response = await post(
        'checkout-42',
        'mutation { register(input: { email: "trace@example.test", password: "traceable 123", displayName: "T" }) { user { id } } }',
      );
      expect(response.headers.get('x-correlation-id')).toBe('checkout-42');
      const registered = identityLogs.entries.find((entry) => entry.message === 'user registered');
      expect(registered).toMatchObject({ service: 'identity', correlationId: 'checkout-42' });

      const invalid = await post('not a valid id!', '{ __typename }');
      expect(invalid.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await graph.stop();
    }
  });
});
