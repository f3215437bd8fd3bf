import { isUuid } from '@fitnexa/shared/db';
import { parseInput, UserInputError } from '@fitnexa/shared/errors';
import { decodeCursor, timeCursor } from '@fitnexa/shared/graphql';
import { z } from 'zod';
import type { MessagePosition } from '../data/participants';

// Input rules shared by the use cases. Every failure is BAD_USER_INPUT naming the field.

export const MAX_BODY_LENGTH = 4000;

export const uuid = z.string().refine(isUuid, 'must be an id');

export const messageBody = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_BODY_LENGTH, `must be at most ${MAX_BODY_LENGTH} characters`);

const backwardPageArgs = z.object({
  last: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'),
  before: z.string().max(200).nullish(),
});

/** The cursor of a message in its conversation. */
export const messageCursor = (message: MessagePosition) => timeCursor(message.sentAt, message.id);

/**
 * Validates `last`/`before` of a page read backwards and parses the cursor (BAD_USER_INPUT
 * otherwise).
 */
export function backwardPageRequest(
  args: { last?: number | null; before?: string | null },
  defaultLast = 30,
): { last: number; before: MessagePosition | null } {
  const { last, before } = parseInput(backwardPageArgs, {
    last: args.last ?? defaultLast,
    before: args.before,
  });
  if (!before) return { last, before: null };
  const [sentAt = '', id = ''] = decodeCursor(before).split('|');
  const position = { sentAt: new Date(sentAt), id };
  if (Number.isNaN(position.sentAt.getTime()) || !isUuid(position.id)) {
    throw new UserInputError('Invalid input: before: is not a cursor of this list', [
      { field: 'before', message: 'is not a cursor of this list' },
    ]);
  }
  return { last, before: position };
}
