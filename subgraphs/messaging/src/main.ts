import { runService } from '@fitnexa/shared/server';
import { loadMessagingConfig } from './config';
import { startMessaging } from './server';

runService('messaging', loadMessagingConfig(), startMessaging);
