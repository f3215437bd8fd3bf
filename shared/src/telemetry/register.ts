// The first import of every server's main.ts (and of `npm start`): starts tracing, when the
// environment turns it on, before ioredis is first required, so that its calls are traced too.
import { loadTelemetryConfig } from './config';
import { startTelemetry } from './sdk';

startTelemetry({ config: loadTelemetryConfig() });
