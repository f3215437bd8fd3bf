import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { everySubgraphAt, startTestGateway } from './kit';
import { keepAliveFetcher } from '../src/http-fetcher';

// The gateway's subgraph fetcher against small HTTP servers that misbehave on purpose.

const servers: Server[] = [];
async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
) {
  const server = createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}
afterAll(async () => {
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

const post = (fetcher: ReturnType<typeof keepAliveFetcher>, url: string, query: string) =>
  fetcher.fetcher(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
  });

describe('keep-alive sockets to subgraphs', () => {
  /**
   * A subgraph whose idle timeout strikes just as the gateway reuses a socket: every socket
   * answers its first request and is destroyed when a second one arrives on it.
   */
  async function aSubgraphClosingReusedSockets() {
    const served = new WeakMap<Socket, number>();
    const received: { body: string; reused: boolean }[] = [];
    const { url } = await listen(async (req, res) => {
      const count = served.get(req.socket) ?? 0;
      served.set(req.socket, count + 1);
      const body = await readBody(req);
      received.push({ body, reused: count > 0 });
      if (count > 0) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ok: true } }));
    });
    return { url, received };
  }

  it('when a query goes out on a kept-alive socket the subgraph just closed, then it is sent once more on a fresh socket and succeeds', async () => {
    const fetcher = keepAliveFetcher();
    const { url, received } = await aSubgraphClosingReusedSockets();
    expect((await post(fetcher, url, 'query A { ok }')).status).toBe(200);

    const answer = await post(fetcher, url, 'query B { ok }');

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { ok: true } });
    expect(received.map(({ reused }) => reused)).toEqual([false, true, false]);
    expect(received.map(({ body }) => JSON.parse(body).query)).toEqual([
      'query A { ok }',
      'query B { ok }',
      'query B { ok }',
    ]);
    fetcher.close();
  });

  it('when a mutation goes out on a kept-alive socket the subgraph just closed, then it fails and is not sent again', async () => {
    const fetcher = keepAliveFetcher();
    const { url, received } = await aSubgraphClosingReusedSockets();
    expect((await post(fetcher, url, 'query A { ok }')).status).toBe(200);

    await expect(post(fetcher, url, 'mutation M { checkIn }')).rejects.toMatchObject({
      code: 'ECONNRESET',
    });

    expect(received.map(({ body }) => JSON.parse(body).query)).toEqual([
      'query A { ok }',
      'mutation M { checkIn }',
    ]);
    fetcher.close();
  });
});

describe('the size of a subgraph response', () => {
  const MAX = 1024 * 1024;

  /** A subgraph streaming up to 64 MB of JSON as fast as the gateway reads it. */
  async function aSubgraphAnsweringTooMuch(announceLength: boolean) {
    const outcome = { written: 0, finished: false, closed: Promise.resolve() };
    const { url } = await listen(async (req, res) => {
      await readBody(req);
      const total = 64 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(announceLength ? { 'content-length': total } : {}),
      });
      outcome.closed = new Promise((resolve) => res.once('close', resolve));
      while (outcome.written < total && !res.destroyed) {
        outcome.written += chunk.length;
        if (!res.write(chunk))
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off('drain', done).off('close', done);
              resolve();
            };
            res.on('drain', done).on('close', done);
          });
      }
      outcome.finished = !res.destroyed;
      if (outcome.finished) res.end();
    });
    return { url, outcome };
  }

  it.each([
    ['streamed without a length', false],
    ['announced by its Content-Length', true],
  ])(
    'when a response %s is larger than the bound, then the fetch fails with SUBGRAPH_RESPONSE_TOO_LARGE and the socket is closed without reading the rest',
    async (_what, announceLength) => {
      const fetcher = keepAliveFetcher({ maxResponseBytes: MAX });
      const { url, outcome } = await aSubgraphAnsweringTooMuch(announceLength);

      await expect(post(fetcher, url, '{ huge }')).rejects.toMatchObject({
        extensions: { code: 'SUBGRAPH_RESPONSE_TOO_LARGE', maxBytes: MAX },
      });

      await outcome.closed;
      expect(outcome.finished).toBe(false);
      expect(outcome.written).toBeLessThan(32 * 1024 * 1024);
      fetcher.close();
    },
  );

  it('when a response is under the bound, then it is read whole', async () => {
    const fetcher = keepAliveFetcher({ maxResponseBytes: MAX });
    const body = JSON.stringify({ data: { text: 'b'.repeat(MAX - 100) } });
    const { url } = await listen(async (req, res) => {
      await readBody(req);
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
    expect(await (await post(fetcher, url, '{ text }')).text()).toBe(body);
    fetcher.close();
  });
});

describe('an oversized subgraph response through the gateway', () => {
  it('when a subgraph answers more than the gateway takes, then the client gets SUBGRAPH_RESPONSE_TOO_LARGE', async () => {
    const { url } = await listen(async (req, res) => {
      await readBody(req);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ data: { gymsNear: { edges: [], padding: 'p'.repeat(256 * 1024) } } }),
      );
    });
    const gateway = await startTestGateway({
      subgraphUrls: everySubgraphAt(url),
      verifyAccessToken: async () => {
        throw new Error('no tokens here');
      },
      rateLimits: false,
      maxSubgraphResponseBytes: 64 * 1024,
    });
    try {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ gymsNear(lat: 52.5, lng: 13.4, radiusKm: 5) { edges { distanceKm } } }',
        }),
      });
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('SUBGRAPH_RESPONSE_TOO_LARGE');
    } finally {
      await gateway.stop();
    }
  });
});
