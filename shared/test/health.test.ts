import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { healthRoutes, serve } from '../src/server';

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

describe('a server draining before it stops', () => {
  it('when it drains, then it still serves, readiness is 503 and every answer closes its connection', async () => {
    const app = express();
    app.get('/hello', (_req, res) => {
      res.send('hello');
    });
    const health = healthRoutes(app, async () => ({ ready: true }));
    const httpServer = createServer(app);
    const server = await serve(
      httpServer,
      { port: 0, host: '127.0.0.1', health },
      () => new Promise<void>((resolve) => httpServer.close(() => resolve())),
    );
    const origin = `http://127.0.0.1:${server.port}`;
    const answer = (path: string) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        get(`${origin}${path}`, (response) => {
          response.resume();
          resolve(response);
        }).on('error', reject);
      });
    try {
      expect((await answer('/hello')).headers.connection).toBe('keep-alive');

      server.drain();
      const hello = await answer('/hello');
      const ready = await answer('/health/ready');

      expect(hello.statusCode).toBe(200);
      expect(hello.headers.connection).toBe('close');
      expect(ready.statusCode).toBe(503);
      expect(ready.headers.connection).toBe('close');
    } finally {
      httpServer.closeAllConnections();
      await server.stop();
    }
  });
});
