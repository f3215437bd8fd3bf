import { runService } from '@fitnexa/shared/server';
import { loadObservabilityConfig } from './config';
import { startObservability } from './server';

runService('observability', loadObservabilityConfig(), startObservability);
