import { startGraph } from './support';

describe('gateway readiness', () => {
  it('when identity stops (no grace for critical subgraphs), then /health/ready is 503 naming it, and 200 again once it is back', async () => {
    // The default grace (decision 0026) keeps a gateway ready for a while after identity last
    // answered; supergraph/test/fleet-readiness.test.ts covers it.
    const graph = await startGraph({ env: { CRITICAL_SUBGRAPH_GRACE_SECONDS: '0' } });
    try {
      const up = await graph.readiness();
      expect(up.status).toBe(200);
      expect(up.body.checks.identity).toMatchObject({
        status: 'up',
        latencyMs: expect.any(Number),
      });

      await graph.stopSubgraph('identity');
      const down = await graph.readiness();
      expect(down.status).toBe(503);
      expect(down.body.notReady).toEqual(['identity']);

      await graph.restartSubgraph('identity');
      expect((await graph.readiness()).status).toBe(200);
      const live = await fetch(graph.gateway.url.replace('/graphql', '/health/live'));
      expect(live.status).toBe(200);
    } finally {
      await graph.stop();
    }
  });
});

describe('metrics', () => {
  it('when the gateway has served GraphQL requests, then /metrics counts them by route and status', async () => {
    const graph = await startGraph();
    try {
      await graph.post({ query: '{ __typename }' });
      await graph.post({ query: '{ __typename }' });
      await fetch(graph.gateway.url.replace('/graphql', '/wp-admin.php'));
      const response = await fetch(graph.gateway.url.replace('/graphql', '/metrics'));
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      const counts = text
        .split('\n')
        .filter((line) => line.startsWith('http_request_duration_seconds_count'));
      const count = (...labels: string[]) =>
        counts.find((line) => labels.every((label) => line.includes(label)))?.split(' ')[1];
      expect(count('service="gateway"', 'method="POST"', 'route="/graphql"', 'status="200"')).toBe(
        '2',
      );
      expect(count('route="other"', 'status="404"')).toBe('1');
      expect(text).not.toContain('wp-admin');
      expect(text).toContain('process_cpu_user_seconds_total');
    } finally {
      await graph.stop();
    }
  });
});
