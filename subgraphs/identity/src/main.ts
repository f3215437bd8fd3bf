// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { runService } from '@fitnexa/shared/server';
import { loadIdentityConfig } from './config';
import { startIdentity } from './server';

runService('identity', loadIdentityConfig(), startIdentity);
