import type { Cache } from '@fitnexa/shared/cache';
import { connection, pageRequest } from '@fitnexa/shared/graphql';
import type { CatalogueEntry } from './catalogue-entries';
import type { ExerciseRecord, ExerciseRepository } from '../data/exercises';
import { isUuid } from '@fitnexa/shared/db';
import type { MuscleGroup } from '../generated/prisma/enums';

/**
 * How long the cached catalogue lives. Only a release changes the catalogue (no mutation writes
 * it), and `sync` drops the cached copy when it does; the TTL bounds how long another instance
 * still serves its older copy.
 */
export const CATALOGUE_TTL_SECONDS = 600;

// The whole catalogue is one cached value: it is a few dozen entries, every page and id lookup is
// answered from it, and the cache holds one key however clients page through it.
const CATALOGUE_KEY = 'exercise-catalogue';

/** The public exercise catalogue, read through the cache. */
export class ExerciseCatalogue {
  constructor(
    private readonly exercises: ExerciseRepository,
    private readonly cache: Cache,
  ) {}

  /** Brings the stored catalogue in line with `entries`; returns how many exercises it wrote. */
  async sync(entries: readonly CatalogueEntry[]): Promise<number> {
    const written = await this.exercises.syncCatalogue(entries);
    if (written > 0) await this.cache.delete(CATALOGUE_KEY);
    return written;
  }

  /** Exercises by id (null where there is none); only ids the cached catalogue lacks cost a query. */
  async byIds(ids: readonly string[]): Promise<(ExerciseRecord | null)[]> {
    const known = new Map((await this.all()).map((exercise) => [exercise.id, exercise]));
    const unknown = ids.filter((id) => !known.has(id) && isUuid(id));
    if (unknown.length) {
      for (const exercise of await this.exercises.findByIds(unknown)) {
        if (exercise) known.set(exercise.id, exercise);
      }
    }
    return ids.map((id) => known.get(id) ?? null);
  }

  /** A page of the catalogue by name, optionally of one muscle group only. */
  async page(args: {
    muscleGroup?: MuscleGroup | null;
    first?: number | null;
    after?: string | null;
  }) {
    const { first, after } = pageRequest(args);
    const rows = (await this.all()).filter(
      (exercise) =>
        (!args.muscleGroup || exercise.muscleGroups.includes(args.muscleGroup)) &&
        (after === null || exercise.name > after),
    );
    return connection(rows.slice(0, first + 1), first, (exercise) => exercise.name);
  }

  /** Every exercise, by name (in code point order, the order cursors compare in). */
  private all(): Promise<ExerciseRecord[]> {
    return this.cache.getOrLoad(CATALOGUE_KEY, CATALOGUE_TTL_SECONDS, async () =>
      (await this.exercises.findAll()).sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
  }
}
