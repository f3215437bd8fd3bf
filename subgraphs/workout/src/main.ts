import { runService } from '@fitnexa/shared/server';
import { loadWorkoutConfig } from './config';
import { startWorkout } from './server';

runService('workout', loadWorkoutConfig(), startWorkout);
