import type { Equipment, ExerciseCategory, MuscleGroup } from '../generated/prisma/enums';

export interface CatalogueEntry {
  name: string;
  muscleGroups: MuscleGroup[];
  equipment: Equipment;
  category: ExerciseCategory;
}

/**
 * The exercise catalogue: reference data every environment needs, so it is synchronised at every
 * start (see ExerciseRepository.syncCatalogue) rather than carried by a migration. Names are the
 * identity of an entry: renaming one adds a new exercise.
 */
export const EXERCISE_CATALOGUE: readonly CatalogueEntry[] = [
  {
    name: 'Barbell Bench Press',
    muscleGroups: ['CHEST', 'TRICEPS', 'SHOULDERS'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Incline Dumbbell Press',
    muscleGroups: ['CHEST', 'SHOULDERS', 'TRICEPS'],
    equipment: 'DUMBBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Push-Up',
    muscleGroups: ['CHEST', 'TRICEPS', 'CORE'],
    equipment: 'BODYWEIGHT',
    category: 'STRENGTH',
  },
  { name: 'Cable Fly', muscleGroups: ['CHEST'], equipment: 'CABLE', category: 'STRENGTH' },
  {
    name: 'Back Squat',
    muscleGroups: ['QUADS', 'GLUTES', 'HAMSTRINGS', 'CORE'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Front Squat',
    muscleGroups: ['QUADS', 'GLUTES', 'CORE'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Leg Press',
    muscleGroups: ['QUADS', 'GLUTES'],
    equipment: 'MACHINE',
    category: 'STRENGTH',
  },
  {
    name: 'Walking Lunge',
    muscleGroups: ['QUADS', 'GLUTES', 'HAMSTRINGS'],
    equipment: 'DUMBBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Deadlift',
    muscleGroups: ['BACK', 'HAMSTRINGS', 'GLUTES', 'CORE'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Romanian Deadlift',
    muscleGroups: ['HAMSTRINGS', 'GLUTES', 'BACK'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Hip Thrust',
    muscleGroups: ['GLUTES', 'HAMSTRINGS'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Lying Leg Curl',
    muscleGroups: ['HAMSTRINGS'],
    equipment: 'MACHINE',
    category: 'STRENGTH',
  },
  {
    name: 'Standing Calf Raise',
    muscleGroups: ['CALVES'],
    equipment: 'MACHINE',
    category: 'STRENGTH',
  },
  {
    name: 'Pull-Up',
    muscleGroups: ['BACK', 'BICEPS'],
    equipment: 'BODYWEIGHT',
    category: 'STRENGTH',
  },
  {
    name: 'Barbell Row',
    muscleGroups: ['BACK', 'BICEPS'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Lat Pulldown',
    muscleGroups: ['BACK', 'BICEPS'],
    equipment: 'CABLE',
    category: 'STRENGTH',
  },
  {
    name: 'Seated Cable Row',
    muscleGroups: ['BACK', 'BICEPS'],
    equipment: 'CABLE',
    category: 'STRENGTH',
  },
  {
    name: 'Overhead Press',
    muscleGroups: ['SHOULDERS', 'TRICEPS', 'CORE'],
    equipment: 'BARBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Lateral Raise',
    muscleGroups: ['SHOULDERS'],
    equipment: 'DUMBBELL',
    category: 'STRENGTH',
  },
  {
    name: 'Face Pull',
    muscleGroups: ['SHOULDERS', 'BACK'],
    equipment: 'CABLE',
    category: 'STRENGTH',
  },
  { name: 'Barbell Curl', muscleGroups: ['BICEPS'], equipment: 'BARBELL', category: 'STRENGTH' },
  { name: 'Hammer Curl', muscleGroups: ['BICEPS'], equipment: 'DUMBBELL', category: 'STRENGTH' },
  { name: 'Triceps Pushdown', muscleGroups: ['TRICEPS'], equipment: 'CABLE', category: 'STRENGTH' },
  {
    name: 'Dip',
    muscleGroups: ['TRICEPS', 'CHEST', 'SHOULDERS'],
    equipment: 'BODYWEIGHT',
    category: 'STRENGTH',
  },
  { name: 'Plank', muscleGroups: ['CORE'], equipment: 'BODYWEIGHT', category: 'STRENGTH' },
  {
    name: 'Hanging Leg Raise',
    muscleGroups: ['CORE'],
    equipment: 'BODYWEIGHT',
    category: 'STRENGTH',
  },
  {
    name: 'Kettlebell Swing',
    muscleGroups: ['GLUTES', 'HAMSTRINGS', 'FULL_BODY'],
    equipment: 'KETTLEBELL',
    category: 'STRENGTH',
  },
  { name: 'Rowing Machine', muscleGroups: ['FULL_BODY'], equipment: 'MACHINE', category: 'CARDIO' },
  { name: 'Burpee', muscleGroups: ['FULL_BODY'], equipment: 'BODYWEIGHT', category: 'CARDIO' },
  {
    name: 'Band Pull-Apart',
    muscleGroups: ['SHOULDERS', 'BACK'],
    equipment: 'BAND',
    category: 'MOBILITY',
  },
];
