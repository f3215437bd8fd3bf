import { parseInput } from '@fitnexa/shared/errors';
import { z } from 'zod';
import type { StatsRequest } from '../data/stats';

/** The longest range stats cover: a year, leap day included. */
export const MAX_STATS_DAYS = 366;

const range = z
  .object({ from: z.date(), to: z.date() })
  .refine((value) => value.from < value.to, {
    message: 'must end after it starts',
    path: ['range', 'to'],
  })
  .refine((value) => value.to.getTime() - value.from.getTime() <= MAX_STATS_DAYS * 86_400_000, {
    message: `must span at most ${MAX_STATS_DAYS} days`,
    path: ['range', 'to'],
  });

/** Validates a stats range for a user (BAD_USER_INPUT otherwise). */
export function statsRequest(userId: string, input: unknown): StatsRequest {
  return { userId, ...parseInput(range, input) };
}
