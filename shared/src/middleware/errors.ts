import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCode, errorMessage } from '../errors';
import type { Logger } from '../logger/types';
import { correlationIdOf } from './correlation';

/** The body of every error answered outside GraphQL execution: shaped as GraphQL errors are. */
export const errorBody = (code: ErrorCode, message: string) => ({
  errors: [{ message, extensions: { code } }],
});

/** Unknown routes get a JSON 404 rather than express's HTML page. */
export function notFound(): RequestHandler {
  return (req, res) => {
    res.status(404).json(errorBody(ErrorCode.NOT_FOUND, `No route ${req.method} ${req.path}`));
  };
}

/**
 * The last express handler: client errors (bad JSON, too large a body) answer 4xx with a code,
 * anything else is logged and answers a bare 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status =
      typeof error === 'object' &&
      error !== null &&
      'status' in error &&
      typeof error.status === 'number'
        ? error.status
        : 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST;
      res
        .status(status)
        .json(errorBody(code, error instanceof Error ? error.message : 'Bad request'));
      return;
    }
    logger.error('unhandled request error', {
      error: errorMessage(error),
      stack: error instanceof Error ? error.stack : undefined,
      correlationId: correlationIdOf(res),
    });
    res.status(500).json(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
  };
}
