import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

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

/** Takes the caller's `x-correlation-id` (or makes one), echoes it, and scopes the request to it. */
export function correlationId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header(CORRELATION_HEADER);
    const id = incoming && acceptable.test(incoming) ? incoming : randomUUID();
    res.setHeader(CORRELATION_HEADER, id);
    runWithCorrelationId(id, next);
  };
}
