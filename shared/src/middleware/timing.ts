import type { RequestHandler } from 'express';
import type { Logger } from '../logger/types';
import { correlationIdOf } from './correlation';
import { routeLabel, type Metrics } from './metrics';

/**
 * Logs each request with its status and duration, reports it in `Server-Timing`, and observes it
 * in the request-duration histogram.
 */
export function requestTiming(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const writeHead = res.writeHead;
    // Server-Timing must be set before the head goes out, so measure at that moment.
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!res.headersSent) res.setHeader('server-timing', `total;dur=${ms.toFixed(1)}`);
      return writeHead.apply(this, args);
    } as typeof writeHead;
    // req.path loses the mount path (/graphql) inside routers; the original URL keeps it.
    const path = req.originalUrl.split('?')[0] ?? '/';
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.requestDuration.observe(
        { method: req.method, route: routeLabel(path), status: String(res.statusCode) },
        ms / 1000,
      );
      // Probes hit health endpoints every few seconds; they would drown the real traffic.
      if (path.startsWith('/health/')) return;
      logger.http('request', {
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Math.round(ms * 10) / 10,
        correlationId: correlationIdOf(res),
      });
    });
    next();
  };
}
