import type { WorkoutPrisma, WorkoutTransaction } from '../db';
import { isUuid } from '@fitnexa/shared/db';

export interface TemplateExerciseRecord {
  position: number;
  exerciseId: string;
  targetSets: number;
  targetReps: number;
  targetWeightKg: number | null;
}

export interface TemplateRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  exercises: TemplateExerciseRecord[];
}

export type TemplateExerciseData = Omit<TemplateExerciseRecord, 'position'>;

const fields = {
  id: true,
  userId: true,
  name: true,
  createdAt: true,
  updatedAt: true,
  exercises: {
    select: {
      position: true,
      exerciseId: true,
      targetSets: true,
      targetReps: true,
      targetWeightKg: true,
    },
    orderBy: { position: 'asc' },
  },
} as const;

/** Exercises in the order given, numbered from 1. */
const positioned = (exercises: readonly TemplateExerciseData[]) =>
  exercises.map((exercise, index) => ({ ...exercise, position: index + 1 }));

export class TemplateRepository {
  constructor(private readonly prisma: WorkoutPrisma) {}

  findByUser(userId: string): Promise<TemplateRecord[]> {
    return this.prisma.workoutTemplate.findMany({
      where: { userId },
      select: fields,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  async findById(id: string): Promise<TemplateRecord | null> {
    return isUuid(id)
      ? this.prisma.workoutTemplate.findUnique({ where: { id }, select: fields })
      : null;
  }

  create(data: {
    userId: string;
    name: string;
    exercises: readonly TemplateExerciseData[];
  }): Promise<TemplateRecord> {
    return this.prisma.workoutTemplate.create({
      data: {
        userId: data.userId,
        name: data.name,
        exercises: { create: positioned(data.exercises) },
      },
      select: fields,
    });
  }

  /** Renames the template and/or replaces its exercises, atomically. */
  update(
    id: string,
    data: { name?: string; exercises?: readonly TemplateExerciseData[] },
  ): Promise<TemplateRecord> {
    return this.prisma.workoutTemplate.update({
      where: { id },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.exercises
          ? { exercises: { deleteMany: {}, create: positioned(data.exercises) } }
          : {}),
      },
      select: fields,
    });
  }

  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.workoutTemplate.deleteMany({ where: { id } });
    return count > 0;
  }

  /** Deletes the user's templates (their exercises go with them), inside `tx`; returns how many. */
  async deleteOfUser(tx: WorkoutTransaction, userId: string): Promise<number> {
    return (await tx.workoutTemplate.deleteMany({ where: { userId } })).count;
  }
}
