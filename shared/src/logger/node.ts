import winston from 'winston';
import { currentCorrelationId } from '../middleware/correlation';
import { activeTraceIds } from '../telemetry/tracing';
import type { LogLevel, LogMeta, Logger, LoggerOptions } from './types';

export type { LogLevel, LogMeta, Logger, LoggerOptions } from './types';
export {
  createLogsTransport,
  LOGS_EXCHANGE,
  LogsTransport,
  publishedLogLevel,
  type LogsTransportOptions,
} from './logs-transport';

// Every entry carries the correlation id of the request it was written in, if any.
const withCorrelationId = winston.format((info) => {
  const correlationId = currentCorrelationId();
  if (correlationId && info.correlationId === undefined) info.correlationId = correlationId;
  return info;
});

// ...and, inside a traced context, the trace and span it was written in (trace_id, span_id).
const withTraceIds = winston.format((info) => {
  const ids = activeTraceIds();
  if (ids && info.trace_id === undefined) Object.assign(info, ids);
  return info;
});

function wrap(logger: winston.Logger): Logger {
  // winston formats every entry (correlation and trace ids, timestamp, JSON) before its transports
  // look at the level: an entry no transport takes (a request's `http` line on an `info` console,
  // without the logs transport) is dropped here instead, unformatted.
  const at = (level: LogLevel) => (message: string, meta?: LogMeta) => {
    if (logger.isLevelEnabled(level)) logger.log(level, message, meta);
  };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    http: at('http'),
    debug: at('debug'),
    child: (meta: LogMeta) => wrap(logger.child(meta)),
  };
}

export interface NodeLoggerOptions extends LoggerOptions {
  /** Extra winston transports (the RabbitMQ `logs` transport, a test capture, ...). */
  transports?: winston.transport[];
  /** Write nothing to the console (tests). */
  silent?: boolean;
}

/**
 * JSON lines on stdout with service, timestamp, correlation id and (when traced) trace and span ids;
 * more transports can be added.
 */
export function createLogger(options: NodeLoggerOptions): Logger {
  const logger = winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service, ...options.defaultMeta },
    format: winston.format.combine(
      withCorrelationId(),
      withTraceIds(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [
      new winston.transports.Console({ silent: options.silent ?? false }),
      ...(options.transports ?? []),
    ],
  });
  return wrap(logger);
}
