import type { CatalogueEntry } from '../domain/catalogue-entries';
import type { WorkoutPrisma } from '../db';
import type { Equipment, ExerciseCategory, MuscleGroup } from '../generated/prisma/enums';
import { indexBy, isUuid } from '@fitnexa/shared/db';

export interface ExerciseRecord {
  id: string;
  name: string;
  muscleGroups: MuscleGroup[];
  equipment: Equipment;
  category: ExerciseCategory;
}

const fields = {
  id: true,
  name: true,
  muscleGroups: true,
  equipment: true,
  category: true,
} as const;

export class ExerciseRepository {
  constructor(private readonly prisma: WorkoutPrisma) {}

  /** Exercises by id, in the order of `ids`, null where there is none; one query whatever the count. */
  async findByIds(ids: readonly string[]): Promise<(ExerciseRecord | null)[]> {
    const validIds = ids.filter(isUuid);
    const rows = validIds.length
      ? await this.prisma.exercise.findMany({ where: { id: { in: validIds } }, select: fields })
      : [];
    return indexBy(ids, rows, (row) => row.id);
  }

  findAll(): Promise<ExerciseRecord[]> {
    return this.prisma.exercise.findMany({ select: fields });
  }

  /**
   * Adds the catalogue's missing exercises and corrects changed ones, in one statement that
   * writes nothing when the table already matches; safe to run at every start, concurrently too.
   * Returns how many rows it wrote.
   */
  syncCatalogue(entries: readonly CatalogueEntry[]): Promise<number> {
    return this.prisma.$executeRaw`
      INSERT INTO "Exercise" ("id", "name", "muscleGroups", "equipment", "category")
      SELECT gen_random_uuid(), entry.name, entry."muscleGroups"::"MuscleGroup"[],
             entry.equipment::"Equipment", entry.category::"ExerciseCategory"
        FROM json_to_recordset(${JSON.stringify(entries)}::json)
          AS entry(name text, "muscleGroups" text[], equipment text, category text)
      ON CONFLICT ("name") DO UPDATE
         SET "muscleGroups" = EXCLUDED."muscleGroups",
             "equipment" = EXCLUDED."equipment",
             "category" = EXCLUDED."category"
       WHERE ("Exercise"."muscleGroups", "Exercise"."equipment", "Exercise"."category")
             IS DISTINCT FROM (EXCLUDED."muscleGroups", EXCLUDED."equipment", EXCLUDED."category")`;
  }
}
