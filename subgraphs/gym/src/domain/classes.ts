import { parseInput } from '@fitnexa/shared/errors';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { GymClassRecord, GymClassRepository } from '../data/classes';
import { requireGymManager } from './access';
import type { Gyms } from './gyms';
import { dateRange, text, uuid } from './validation';

const scheduleInput = (now: Date) =>
  z.object({
    gymId: z.string(),
    title: text(100),
    coachId: uuid,
    startsAt: z.date().refine((startsAt) => startsAt > now, 'must be in the future'),
    durationMinutes: z.number().int().min(5, 'must be at least 5').max(480, 'must be at most 480'),
    capacity: z.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500'),
  });

export interface ClassesDeps {
  classes: GymClassRepository;
  gyms: Gyms;
  now?: () => Date;
}

/** A gym's class schedule: public to read, its owner's and admins' to add to. */
export class Classes {
  private readonly now: () => Date;

  constructor(private readonly deps: ClassesDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async schedule(principal: Principal, input: unknown): Promise<GymClassRecord> {
    const data = parseInput(scheduleInput(this.now()), input);
    requireGymManager(principal, await this.deps.gyms.find(data.gymId));
    return this.deps.classes.create(data);
  }

  /** The gym's classes starting in [from, to) (at most 31 days), in start order. */
  async scheduleOf(args: { gymId: string; from: Date; to: Date }): Promise<GymClassRecord[]> {
    const range = parseInput(dateRange, { from: args.from, to: args.to });
    const gym = await this.deps.gyms.find(args.gymId);
    return this.deps.classes.schedule(gym.id, range);
  }
}
