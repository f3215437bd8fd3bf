import { isUuid } from '@fitnexa/shared/db';
import { z } from 'zod';

// Input rules shared by the use cases. Every failure is BAD_USER_INPUT naming the field.

const MAX_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;

export const uuid = z.string().refine(isUuid, 'must be an id');

export const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const geoPoint = z.object({
  lat: z.number().min(-90, 'must be at least -90').max(90, 'must be at most 90'),
  lng: z.number().min(-180, 'must be at least -180').max(180, 'must be at most 180'),
});

/** Clock time HH:MM; 24:00 closes a gym at midnight. */
const clockTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time HH:MM between 00:00 and 24:00');

/** A gym's week, one entry per day at most, ordered from Sunday. */
export const openingHours = z
  .array(
    z
      .object({
        dayOfWeek: z.number().int().min(0, 'must be 0 to 6').max(6, 'must be 0 to 6'),
        opens: clockTime,
        closes: clockTime,
      })
      .refine((hours) => hours.opens < hours.closes, {
        message: 'must be after opens',
        path: ['closes'],
      }),
  )
  .refine((days) => new Set(days.map((day) => day.dayOfWeek)).size === days.length, {
    message: 'must list each day of the week at most once',
  })
  .transform((days) => [...days].sort((a, b) => a.dayOfWeek - b.dayOfWeek));

/** Short labels (amenities, perks): trimmed, without duplicates. */
export const labels = (maxItems: number, maxLength: number) =>
  z
    .array(text(maxLength))
    .max(maxItems, `must have at most ${maxItems} entries`)
    .transform((items) => [...new Set(items)]);

/** [from, to) with from before to and at most MAX_RANGE_DAYS long. */
export const dateRange = z
  .object({ from: z.date(), to: z.date() })
  .refine((range) => range.from < range.to, { message: 'must be after from', path: ['to'] })
  .refine((range) => range.to.getTime() - range.from.getTime() <= MAX_RANGE_DAYS * DAY_MS, {
    message: `must be at most ${MAX_RANGE_DAYS} days after from`,
    path: ['to'],
  });
