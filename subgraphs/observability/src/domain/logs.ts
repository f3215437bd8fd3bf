import { AuthenticationError, ForbiddenError, parseInput } from '@fitnexa/shared/errors';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { LogRecord, LogSearch, LogStore } from '../data/log-store';

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MAX_FIRST = 500;
export const DEFAULT_FIRST = 50;

const searchInput = z.object({
  first: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(MAX_FIRST, `must be at most ${MAX_FIRST}`),
  service: z.string().trim().min(1).max(100).optional(),
  level: z.enum(LOG_LEVELS).optional(),
  correlationId: z.string().trim().min(1).max(128).optional(),
  traceId: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{32}$/, 'must be a trace id: 32 hexadecimal digits')
    .optional(),
  since: z.date().optional(),
});

export interface LogsRequest {
  first?: number | null;
  filter?: {
    service?: string | null;
    level?: string | null;
    correlationId?: string | null;
    traceId?: string | null;
    since?: Date | null;
  } | null;
}

/** Logs are operational data: admins read them, nobody else. */
export function requireAdmin(principal: Principal | null): Principal {
  if (!principal) throw new AuthenticationError();
  if (principal.role !== 'ADMIN') throw new ForbiddenError('Only admins can read the logs');
  return principal;
}

/** The use cases over stored logs. */
export class Logs {
  constructor(private readonly store: LogStore) {}

  /** The newest entries matching every condition given, at most `first`. */
  search(principal: Principal | null, request: LogsRequest): Promise<LogRecord[]> {
    requireAdmin(principal);
    const filter = request.filter ?? {};
    const parsed = parseInput(searchInput, {
      first: request.first ?? DEFAULT_FIRST,
      service: filter.service ?? undefined,
      level: filter.level?.toLowerCase() ?? undefined,
      correlationId: filter.correlationId ?? undefined,
      traceId: filter.traceId ?? undefined,
      since: filter.since ?? undefined,
    });
    const search: LogSearch = {
      limit: parsed.first,
      service: parsed.service,
      level: parsed.level,
      correlationId: parsed.correlationId,
      traceId: parsed.traceId,
      since: parsed.since,
    };
    return this.store.search(search);
  }
}
