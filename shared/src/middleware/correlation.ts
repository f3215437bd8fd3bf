import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

export const CORRELATION_HEADER = 'x-correlation-id';

interface RequestScope {
  correlationId: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** The correlation id of the request being handled, or undefined outside a request. */
export function currentCorrelationId(): string | undefined {
  return scope.getStore()?.correlationId;
}

export function runWithCorrelationId<T>(correlationId: string, fn: () => T): T {
  return scope.run({ correlationId }, fn);
}

// Accept a caller's id only when it looks like one: it ends up in every log line.
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The correlation id to use for what a client sent (a header, a graphql-ws connection param):
 * theirs when it looks like one, a fresh one otherwise. The one rule for every entry point.
 */
export function acceptCorrelationId(given: unknown): string {
  return typeof given === 'string' && acceptable.test(given) ? given : randomUUID();
}

/** The correlation id `correlationId()` gave the request this response answers. */
export function correlationIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.correlationId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Takes the caller's `x-correlation-id` (or makes one), echoes it, keeps it on the response
 * (`correlationIdOf`) and, unless `asyncScope` is false, scopes the request to it: whatever runs
 * for the request (a log line, an event recorded) finds it with `currentCorrelationId()`. A server
 * that passes the id on itself goes without the scope: on Node 20 a scope turns on promise hooks
 * for every promise of the process (decision 0044).
 */
export function correlationId({
  asyncScope = true,
}: { asyncScope?: boolean } = {}): RequestHandler {
  return (req, res, next) => {
    const id = acceptCorrelationId(req.header(CORRELATION_HEADER));
    res.setHeader(CORRELATION_HEADER, id);
    res.locals.correlationId = id;
    if (asyncScope) runWithCorrelationId(id, next);
    else next();
  };
}
