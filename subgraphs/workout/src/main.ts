// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { runService } from '@fitnexa/shared/server';
import { loadWorkoutConfig } from './config';
import { startWorkout } from './server';

runService('workout', loadWorkoutConfig(), startWorkout);
