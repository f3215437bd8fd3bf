import { subgraphCodegen } from '@fitnexa/shared/codegen';

export default subgraphCodegen({
  contextType: '../context#WorkoutContext',
  mappers: {
    Exercise: '../data/exercises#ExerciseRecord',
    Gym: '../data/sessions#GymReference',
    User: '../data/sessions#UserReference',
    WorkoutSession: '../data/sessions#SessionRecord',
    ExerciseSet: '../data/sets#SetRecord',
    PersonalRecord: '../data/personal-records#PersonalRecordRecord',
    WorkoutTemplate: '../data/templates#TemplateRecord',
    TemplateExercise: '../data/templates#TemplateExerciseRecord',
    WorkoutStats: '../data/stats#WorkoutStatsRecord',
  },
});
