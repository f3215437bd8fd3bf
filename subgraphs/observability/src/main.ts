import { runService } from '@fitnexa/shared/subgraph';
import { loadObservabilityConfig } from './config';
import { startObservability } from './server';

runService('observability', loadObservabilityConfig(), startObservability);
