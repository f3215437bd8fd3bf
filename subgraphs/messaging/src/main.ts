import { runService } from '@fitnexa/shared/subgraph';
import { loadMessagingConfig } from './config';
import { startMessaging } from './server';

runService('messaging', loadMessagingConfig(), startMessaging);
