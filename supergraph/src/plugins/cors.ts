import type { IncomingMessage } from 'node:http';
import { CORRELATION_HEADER } from '@fitnexa/shared/middleware';
import cors from 'cors';
import type { RequestHandler } from 'express';

/** Local web dev servers (Vite, Next/CRA, Expo web): allowed by default outside production. */
export const DEVELOPMENT_CORS_ORIGINS: readonly string[] = [
  'http://localhost:5173',
  'http://127.0.0.1:5173',
  'http://localhost:3000',
  'http://127.0.0.1:3000',
  'http://localhost:8081',
  'http://127.0.0.1:8081',
];

/** The request headers our clients send (Apollo Client, the tracing and correlation headers). */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  CORRELATION_HEADER,
  'traceparent',
];

/** How long (seconds) a browser may reuse a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The origins allowed: the configured ones, else the development defaults (none in production). */
export function corsOriginsFor(production: boolean, configured?: readonly string[]): string[] {
  return [...(configured ?? (production ? [] : DEVELOPMENT_CORS_ORIGINS))];
}

/**
 * Cross-origin access for browsers on an allowlist of origins: preflights answered (204) and
 * responses marked for allowed origins only; any other origin gets no CORS headers at all, so the
 * browser keeps the response from its page. WebSocket upgrades are not covered by CORS, so those
 * whose Origin is present and not allowed are refused (cross-site WebSocket hijacking); native
 * clients and servers send no Origin and are let through. Apollo's CSRF prevention stays on behind
 * this: a cross-site "simple" request (no preflight) is still refused there.
 */
export function corsPolicy(origins: readonly string[]) {
  const allowed = new Set(origins);
  const allows = (origin: string | undefined) => origin !== undefined && allowed.has(origin);
  const answer = cors({
    // true reflects the request's origin (with Vary: Origin); false adds nothing.
    origin: (origin, callback) => callback(null, allows(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
  });

  return {
    allows,
    /** The express middleware: answers preflights, marks responses to allowed origins. */
    http: ((req, res, next) => {
      // Answers differ by Origin whether or not this one is allowed: caches must keep them apart.
      res.vary('Origin');
      answer(req, res, next);
    }) as RequestHandler,
    /** Whether a WebSocket upgrade may proceed: no Origin, or an allowed one. */
    allowsUpgrade: (req: IncomingMessage) =>
      req.headers.origin === undefined || allows(req.headers.origin),
  };
}

export type CorsPolicy = ReturnType<typeof corsPolicy>;
