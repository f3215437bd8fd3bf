import type { Cache } from '@fitnexa/shared/cache';
import type { Logger } from '@fitnexa/shared/logger';
import type { ExerciseRepository } from '../data/exercises';
import type { SessionRepository } from '../data/sessions';
import type { SetRepository } from '../data/sets';
import type { TemplateRepository } from '../data/templates';
import { ExerciseCatalogue } from './catalogue';
import { Templates } from './templates';
import { Workouts } from './workouts';

export interface UseCases {
  catalogue: ExerciseCatalogue;
  workouts: Workouts;
  templates: Templates;
}

/** The use cases over the exercise catalogue, sessions and templates. */
export function createUseCases(deps: {
  exercises: ExerciseRepository;
  sessions: SessionRepository;
  sets: SetRepository;
  templates: TemplateRepository;
  cache: Cache;
  logger: Logger;
}): UseCases {
  const catalogue = new ExerciseCatalogue(deps.exercises, deps.cache);
  return {
    catalogue,
    workouts: new Workouts({
      sessions: deps.sessions,
      sets: deps.sets,
      catalogue,
      logger: deps.logger,
    }),
    templates: new Templates(deps.templates, catalogue),
  };
}
