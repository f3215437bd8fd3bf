// First: tracing (when configured) starts before the modules it instruments load.
import '@fitnexa/shared/telemetry/register';
import { runService } from '@fitnexa/shared/server';
import { loadSquadConfig } from './config';
import { startSquad } from './server';

runService('squad', loadSquadConfig(), startSquad);
