import { ForbiddenError, NotFoundError, parseInput } from '@fitnexa/shared/errors';
import type { Principal } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { TemplateRecord, TemplateRepository } from '../data/templates';
import type { ExerciseCatalogue } from './catalogue';

const name = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters');
const exercises = z
  .array(
    z.object({
      exerciseId: z.string(),
      targetSets: z.number().int().min(1, 'must be at least 1').max(20, 'must be at most 20'),
      targetReps: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'),
      targetWeightKg: z
        .number()
        .min(0, 'must be at least 0')
        .max(1000, 'must be at most 1000')
        .nullish()
        .transform((weight) => weight ?? null),
    }),
  )
  .min(1, 'must list at least one exercise')
  .max(30, 'must list at most 30 exercises');

const createInput = z.object({ name, exercises });
const updateInput = z.object({
  name: name.nullish().transform((value) => value ?? undefined),
  exercises: exercises.nullish().transform((value) => value ?? undefined),
});

/** A user's workout templates: theirs alone to read and change. */
export class Templates {
  constructor(
    private readonly templates: TemplateRepository,
    private readonly catalogue: ExerciseCatalogue,
  ) {}

  list(principal: Principal): Promise<TemplateRecord[]> {
    return this.templates.findByUser(principal.userId);
  }

  async create(principal: Principal, input: unknown): Promise<TemplateRecord> {
    const data = parseInput(createInput, input);
    await this.assertExercisesExist(data.exercises);
    return this.templates.create({ userId: principal.userId, ...data });
  }

  async update(principal: Principal, id: string, input: unknown): Promise<TemplateRecord> {
    const data = parseInput(updateInput, input);
    await this.ownTemplate(principal, id);
    if (data.exercises) await this.assertExercisesExist(data.exercises);
    return this.templates.update(id, data);
  }

  async delete(principal: Principal, id: string): Promise<boolean> {
    await this.ownTemplate(principal, id);
    return this.templates.delete(id);
  }

  private async ownTemplate(principal: Principal, id: string): Promise<TemplateRecord> {
    const template = await this.templates.findById(id);
    if (!template) throw new NotFoundError('Workout template');
    if (template.userId !== principal.userId) throw new ForbiddenError();
    return template;
  }

  private async assertExercisesExist(list: readonly { exerciseId: string }[]): Promise<void> {
    const found = await this.catalogue.byIds(list.map((item) => item.exerciseId));
    if (found.some((exercise) => !exercise)) throw new NotFoundError('Exercise');
  }
}
