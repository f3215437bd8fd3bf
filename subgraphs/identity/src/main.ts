import { runService } from '@fitnexa/shared/server';
import { loadIdentityConfig } from './config';
import { startIdentity } from './server';

runService('identity', loadIdentityConfig(), startIdentity);
