import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger/types';

/** Every error code a FitNexa API returns in `extensions.code`. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** A subgraph called by something other than the gateway (or a peer it accepts): no valid service credential. */
  SERVICE_UNAUTHENTICATED = 'SERVICE_UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  /** A request the server cannot read: malformed JSON, a batch it does not take. */
  BAD_REQUEST = 'BAD_REQUEST',
  /** The request's operationName is not an operation of its document (Apollo's own code). */
  OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** Too many requests: `extensions.retryAfterSeconds` says when to try again. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** A subgraph answered the gateway with more than it accepts from one fetch. */
  SUBGRAPH_RESPONSE_TOO_LARGE = 'SUBGRAPH_RESPONSE_TOO_LARGE',
  /** A dependency the operation cannot do without is away; nothing was changed, try again. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const httpStatus: Record<ErrorCode, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.SERVICE_UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.OPERATION_RESOLUTION_FAILURE]: 400,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.SUBGRAPH_RESPONSE_TOO_LARGE]: 502,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

/** The message of anything thrown: an Error's message, else the value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What to log of anything thrown: an Error's stack (else its message), else the value as text. */
export function errorStack(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export function httpStatusOf(code: ErrorCode): number {
  return httpStatus[code];
}

/** A problem the client can act on: its message and extensions reach the client as they are. */
export class FitnexaError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'FitnexaError';
  }

  /** Sets the HTTP status Apollo Server answers with when this error aborts the whole request. */
  withHttpStatus(status: number): this {
    Object.assign(this.extensions, { http: { status } });
    return this;
  }
}

export class AuthenticationError extends FitnexaError {
  constructor(message = 'You must be signed in') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

/** A request reached a subgraph without a valid service credential (see auth/service-tokens). */
export class ServiceAuthenticationError extends FitnexaError {
  constructor(message: string) {
    super(ErrorCode.SERVICE_UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends FitnexaError {
  constructor(message = 'You are not allowed to do this') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class UserInputError extends FitnexaError {
  constructor(message: string, problems: FieldProblem[] = []) {
    super(ErrorCode.BAD_USER_INPUT, message, problems.length ? { problems } : {});
  }
}

export class NotFoundError extends FitnexaError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}

export class ConflictError extends FitnexaError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}

export class RateLimitedError extends FitnexaError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many requests, retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

export class ServiceUnavailableError extends FitnexaError {
  constructor(message: string) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message);
  }
}

/** Validates input with a zod-like schema; failures become BAD_USER_INPUT naming each field. */
export function parseInput<T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new UserInputError(
    `Invalid input: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`,
    problems,
  );
}

const clientCodes = new Set<string>(Object.values(ErrorCode));
// Codes Apollo Server itself sets for malformed requests; they are the client's to see.
const apolloClientCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

function clientStatus(error: GraphQLError): boolean {
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

const stringField = (value: unknown, field: 'message' | 'stack' | 'cause') => {
  const found =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : null;
  return typeof found === 'string' ? found : undefined;
};

/**
 * What went wrong, for the log, whatever was thrown or answered: an Error (also one of another
 * realm, which `instanceof` misses), or a plain `{ message }` such as a subgraph's error.
 */
function describeThrown(thrown: unknown) {
  let error = stringField(thrown, 'message');
  if (error === undefined) {
    try {
      error = typeof thrown === 'object' ? JSON.stringify(thrown) : String(thrown);
    } catch {
      error = String(thrown);
    }
  }
  const cause =
    typeof thrown === 'object' && thrown !== null ? (thrown as { cause?: unknown }).cause : null;
  return {
    error,
    stack: stringField(thrown, 'stack'),
    // fetch's "fetch failed" says nothing; its cause says which socket error it was.
    cause: stringField(cause, 'message'),
  };
}

// The request each error arose in, where no async scope says it (see tieErrorsToRequest).
const correlationIdOfError = new WeakMap<object, string>();

/**
 * Ties errors to the request they arose in, by its correlation id, for the formatter's log line: a
 * server that runs requests without an async scope (the gateway, decision 0044) calls this with
 * each operation's errors before they are formatted.
 */
export function tieErrorsToRequest(errors: readonly object[], correlationId: string | undefined) {
  if (correlationId === undefined) return;
  for (const error of errors) correlationIdOfError.set(error, correlationId);
}

/**
 * The one place unknown errors are mapped: known codes pass through, anything else is logged
 * with its stack and reaches the client as a bare INTERNAL_SERVER_ERROR.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (
      typeof code === 'string' &&
      (apolloClientCodes.has(code) ||
        (clientCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR))
    ) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    // Apollo reports some request problems (a persisted query's hash that does not match) with
    // an HTTP 4xx status and no code: the client's to fix, not ours to log.
    if (error instanceof GraphQLError && !error.originalError && clientStatus(error)) {
      return { message: formatted.message, extensions: { code: ErrorCode.BAD_REQUEST } };
    }
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    // The gateway names the subgraph an error came from (`serviceName`); a subgraph's own error
    // arrives as the plain `{ message, extensions }` it answered, not as an Error.
    const subgraph = formatted.extensions?.serviceName;
    const { error: message, stack, cause } = describeThrown(original);
    logger.error(typeof subgraph === 'string' ? 'subgraph error' : 'unexpected error', {
      error: message,
      ...(typeof subgraph === 'string' ? { subgraph } : {}),
      ...(typeof code === 'string' ? { code } : {}),
      stack,
      cause,
      path: formatted.path,
      correlationId:
        typeof error === 'object' && error !== null ? correlationIdOfError.get(error) : undefined,
    });
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
