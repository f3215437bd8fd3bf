// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { runService } from '@fitnexa/shared/server';
import { loadMessagingConfig } from './config';
import { startMessaging } from './server';

runService('messaging', loadMessagingConfig(), startMessaging);
