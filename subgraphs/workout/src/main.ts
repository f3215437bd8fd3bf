import { runService } from '@fitnexa/shared/subgraph';
import { loadWorkoutConfig } from './config';
import { startWorkout } from './server';

runService('workout', loadWorkoutConfig(), startWorkout);
