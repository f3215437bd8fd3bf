// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { runService } from '@fitnexa/shared/server';
import { loadGymConfig } from './config';
import { startGym } from './server';

runService('gym', loadGymConfig(), startGym);
