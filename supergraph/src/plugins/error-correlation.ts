import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { tieErrorsToRequest } from '@fitnexa/shared/errors';
import type { GatewayContext } from '../context';

// One listener for every request: it reads the request from its argument.
const listener: GraphQLRequestListener<GatewayContext> = {
  async didEncounterErrors({ errors, contextValue }) {
    tieErrorsToRequest(errors, contextValue.correlationId);
  },
};

/**
 * The gateway runs requests without an async scope (decision 0044), so the error formatter cannot
 * find the request's correlation id on its own: each operation's errors are tied to it here, before
 * they are formatted and logged.
 */
export function errorCorrelation(): ApolloServerPlugin<GatewayContext> {
  return { requestDidStart: async () => listener };
}
