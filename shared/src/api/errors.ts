/** One entry of a GraphQL response's `errors`. */
export interface GraphQLResponseError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** Apollo Server's code for an error that was thrown without one. */
const UNCODED_ERROR = 'INTERNAL_SERVER_ERROR';

/** A request that did not produce data: the server answered with errors, or did not answer usefully. */
export class FitnexaApiError extends Error {
  override readonly name = 'FitnexaApiError';
  /**
   * The first GraphQL error's `extensions.code` (e.g. UNAUTHENTICATED, BAD_USER_INPUT);
   * NETWORK_ERROR when no response arrived; HTTP_ERROR when the response was not a GraphQL result.
   */
  readonly code: string;
  /** The HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** The GraphQL errors; empty for network and HTTP errors. */
  readonly errors: readonly GraphQLResponseError[];

  constructor(
    message: string,
    details: {
      code: string;
      status: number | null;
      errors?: readonly GraphQLResponseError[];
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.code = details.code;
    this.status = details.status;
    this.errors = details.errors ?? [];
  }

  static fromGraphQLErrors(
    errors: readonly [GraphQLResponseError, ...GraphQLResponseError[]],
    status: number,
  ): FitnexaApiError {
    const [first] = errors;
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : UNCODED_ERROR;
    return new FitnexaApiError(first.message, { code, status, errors });
  }
}
