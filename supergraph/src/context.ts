import type { Principal } from '@fitnexa/shared/types';

/** What every operation at the gateway carries: the verified caller, their token, the request's correlation id. */
export interface GatewayContext {
  principal: Principal | null;
  accessToken: string | null;
  correlationId: string | undefined;
}
