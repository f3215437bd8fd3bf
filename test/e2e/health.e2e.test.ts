import { startGraph } from './support';

describe('gateway readiness', () => {
  it('when identity stops, then /health/ready is 503 naming it, and 200 again once it is back', async () => {
    const graph = await startGraph();
    try {
      const up = await graph.readiness();
      expect(up.status).toBe(200);
      expect(up.body.subgraphs.identity).toMatchObject({
        status: 'up',
        latencyMs: expect.any(Number),
      });

      await graph.stopIdentity();
      const down = await graph.readiness();
      expect(down.status).toBe(503);
      expect(down.body.notReady).toEqual(['identity']);

      await graph.restartIdentity();
      expect((await graph.readiness()).status).toBe(200);
      const live = await fetch(graph.gateway.url.replace('/graphql', '/health/live'));
      expect(live.status).toBe(200);
    } finally {
      await graph.stop();
    }
  });
});
