import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import type { GraphQLFormattedError } from 'graphql';

/** The GraphQL errors an Apollo Client error carries, wherever they came from. */
export function graphQLErrorsOf(error: unknown): readonly GraphQLFormattedError[] {
  if (CombinedGraphQLErrors.is(error)) return error.errors;
  // A non-2xx answer read as plain JSON (the gateway's 401 for a refused token) is a ServerError.
  if (ServerError.is(error)) {
    try {
      const body = JSON.parse(error.bodyText) as { errors?: GraphQLFormattedError[] };
      return Array.isArray(body.errors) ? body.errors : [];
    } catch {
      return [];
    }
  }
  return [];
}

/**
 * The first GraphQL error's `extensions.code` (UNAUTHENTICATED, BAD_USER_INPUT, FORBIDDEN, ...), or
 * undefined when the error carries no GraphQL error (a network failure).
 */
export function errorCodeOf(error: unknown): string | undefined {
  const code = graphQLErrorsOf(error)[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}
