// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { runService } from '@fitnexa/shared/server';
import { loadObservabilityConfig } from './config';
import { startObservability } from './server';

runService('observability', loadObservabilityConfig(), startObservability);
