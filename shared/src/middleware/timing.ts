import type { RequestHandler } from 'express';
import type { Logger } from '../logger/types';

/** Logs each request with its status and duration, and reports it in `Server-Timing`. */
export function requestTiming(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const writeHead = res.writeHead;
    // Server-Timing must be set before the head goes out, so measure at that moment.
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!res.headersSent) res.setHeader('server-timing', `total;dur=${ms.toFixed(1)}`);
      return writeHead.apply(this, args);
    } as typeof writeHead;
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Probes hit health endpoints every few seconds; they would drown the real traffic.
      if (req.path.startsWith('/health/')) return;
      logger.http('request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round(ms * 10) / 10,
      });
    });
    next();
  };
}
