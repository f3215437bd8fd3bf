import { isUuid } from '@fitnexa/shared/db';
import { z } from 'zod';

// Input rules shared by the use cases. Every failure is BAD_USER_INPUT naming the field.

export const uuid = z.string().refine(isUuid, 'must be an id');

export const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** Free text that may be left out: blank is as good as absent (null). */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((value) => value || null);

export const visibility = z.enum(['PUBLIC', 'PRIVATE']);

export const metric = z.enum(['TOTAL_VOLUME_KG', 'SESSIONS', 'CHECK_INS']);
