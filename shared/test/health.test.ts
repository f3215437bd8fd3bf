import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { healthRoutes } from '../src/server';

describe('readiness while draining', () => {
  it('when shutdown starts, then /health/ready answers 503 draining without running the checks', async () => {
    const app = express();
    let checks = 0;
    const health = healthRoutes(app, async () => {
      checks += 1;
      return { ready: true };
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`;
    try {
      expect((await fetch(url)).status).toBe(200);

      health.drain();
      const draining = await fetch(url);

      expect(draining.status).toBe(503);
      expect(await draining.json()).toEqual({ status: 'draining', ready: false });
      expect(checks).toBe(1);
      expect((await fetch(url.replace('ready', 'live'))).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
