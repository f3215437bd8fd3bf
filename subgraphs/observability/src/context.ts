import type { BaseContext } from '@fitnexa/shared/subgraph';
import type { Logs } from './domain/logs';

export interface ObservabilityContext extends BaseContext {
  logs: Logs;
}
