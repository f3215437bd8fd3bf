import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '@fitnexa/shared/auth';
import type { Logger } from '@fitnexa/shared/logger';
import type { RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { SubgraphEndpoint } from './subgraphs';

/** socket.io clients of a subgraph reach it through the gateway at this path + the subgraph's name. */
export const SOCKET_IO_PATH = '/socket.io';

/** Takes over an upgraded connection (a WebSocket server's `handleUpgrade`). */
export type UpgradeHandler = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

const SUBGRAPH_PATH = /^\/socket\.io\/([a-z0-9_-]+)(?=\/|$)/i;

/**
 * Forwards socket.io traffic, HTTP long-polling and WebSocket upgrades alike, from
 * `/socket.io/<subgraph>/…` to that subgraph's own `/socket.io/…`: the gateway stays the single
 * entry point, and socket.io's handshake (with its token) reaches the service that checks it.
 * Clients connect with `io('<gateway>/<namespace>', { path: '/socket.io/<subgraph>' })`. Every
 * forwarded request carries the gateway's service credential for that subgraph (replacing any
 * the client sent), which the subgraph's socket.io requires.
 */
export function socketIoForwarding(
  subgraphs: SubgraphEndpoint[],
  logger: Logger,
  serviceTokens: ServiceTokenIssuer,
) {
  const origins = new Map(
    subgraphs.map((subgraph) => [subgraph.name, new URL(subgraph.url).origin]),
  );
  const nameOf = (path: string) => SUBGRAPH_PATH.exec(path)?.[1] ?? '';
  const subgraphOf = (path: string) => origins.get(nameOf(path));
  // The proxy copies the request's headers; the credential is set on them before it runs (its
  // own hooks are synchronous, the issuer is not).
  const withCredential = async (req: IncomingMessage) => {
    req.headers[SERVICE_TOKEN_HEADER] = await serviceTokens.tokenFor(nameOf(req.url ?? ''));
  };
  const proxy = createProxyMiddleware<IncomingMessage>({
    pathFilter: (path) => subgraphOf(path) !== undefined,
    router: (req) => subgraphOf(req.url ?? '')!,
    pathRewrite: (path) => path.replace(SUBGRAPH_PATH, SOCKET_IO_PATH),
    changeOrigin: true,
    logger: {
      info: () => {},
      warn: (message) => logger.warn(String(message)),
      error: (message) => logger.warn(String(message)),
    },
    on: {
      error: (error, _req, res) => {
        logger.warn('socket.io forwarding failed', { error: error.message });
        if ('writeHead' in res && !res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'subgraph unavailable' }));
        } else if ('destroy' in res) {
          res.destroy();
        }
      },
    },
  });
  const upgraded = new Set<Socket>();

  return {
    /** The express middleware for long-polling requests. */
    http: ((req, res, next) => {
      if (!subgraphOf(req.url)) return next();
      withCredential(req).then(() => proxy(req, res, next), next);
    }) as RequestHandler,
    /**
     * Takes WebSocket upgrades for known subgraphs, hands those for `routes` (by path: the
     * gateway's graphql-ws on `/graphql`) to their handlers, and refuses every other upgrade, and
     * any that `allowUpgrade` refuses (403: a browser page of an origin not allowed).
     */
    attach(
      server: Server,
      routes: Record<string, UpgradeHandler> = {},
      allowUpgrade: (req: IncomingMessage) => boolean = () => true,
    ) {
      server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (!allowUpgrade(req)) {
          // Debug: a misconfigured web app shows here; a hostile page's attempts stay out of warn.
          logger.debug('WebSocket upgrade refused: origin not allowed', {
            origin: req.headers.origin,
            path,
          });
          socket.once('finish', () => socket.destroy());
          socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        if (Object.hasOwn(routes, path)) {
          routes[path]!(req, socket, head);
          return;
        }
        if (!subgraphOf(req.url ?? '')) {
          socket.destroy();
          return;
        }
        upgraded.add(socket);
        socket.once('close', () => upgraded.delete(socket));
        withCredential(req).then(
          () => proxy.upgrade(req, socket, head),
          () => socket.destroy(),
        );
      });
    },
    /** Ends the forwarded WebSockets, which an HTTP drain does not see. */
    closeAll() {
      for (const socket of upgraded) socket.destroy();
    },
  };
}
