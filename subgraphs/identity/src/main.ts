import { runService } from '@fitnexa/shared/subgraph';
import { loadIdentityConfig } from './config';
import { startIdentity } from './server';

runService('identity', loadIdentityConfig(), startIdentity);
