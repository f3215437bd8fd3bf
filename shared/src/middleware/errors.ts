import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import type { Logger } from '../logger/types';

/** Unknown routes get a JSON 404 rather than express's HTML page. */
export function notFound(): RequestHandler {
  return (req, res) => {
    res.status(404).json({
      error: { code: ErrorCode.NOT_FOUND, message: `No route ${req.method} ${req.path}` },
    });
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
      res.status(status).json({
        error: {
          code: ErrorCode.BAD_USER_INPUT,
          message: error instanceof Error ? error.message : 'Bad request',
        },
      });
      return;
    }
    logger.error('unhandled request error', {
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    res
      .status(500)
      .json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
  };
}
