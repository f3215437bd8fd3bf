import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@fitnexa/shared/errors';
import type { GatewayContext } from '../context';

/**
 * Status codes as the GraphQL-over-HTTP spec asks for a request that fails before execution
 * (unparsable, invalid, bad variables): 400 for clients that accept
 * `application/graphql-response+json`, 200 for `application/json`-only clients, which must read
 * `errors` rather than the status.
 */
export function specStatusCodes(): ApolloServerPlugin<GatewayContext> {
  const beforeExecution = new Set<string>([
    'GRAPHQL_PARSE_FAILED',
    'GRAPHQL_VALIDATION_FAILED',
    ErrorCode.BAD_USER_INPUT,
    ErrorCode.OPERATION_RESOLUTION_FAILURE,
    ErrorCode.BAD_REQUEST,
  ]);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, errors }) {
          const code = errors?.[0]?.extensions?.code;
          if (response.body.kind !== 'single' || response.body.singleResult.data !== undefined)
            return;
          if (typeof code !== 'string' || !beforeExecution.has(code)) return;
          const accept = request.http?.headers.get('accept') ?? '';
          response.http.status = accept.includes('application/graphql-response+json') ? 400 : 200;
        },
      };
    },
  };
}
