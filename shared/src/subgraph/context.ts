import type { Logger } from '../logger/types';
import type { Principal } from '../types';

export interface BaseContext {
  principal: Principal | null;
  /** The caller's bearer token, forwarded by the gateway, for calls this service makes on their behalf. */
  accessToken: string | null;
  logger: Logger;
}
