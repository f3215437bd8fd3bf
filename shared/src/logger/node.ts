import winston from 'winston';
import { currentCorrelationId } from '../middleware/correlation';
import { activeTraceIds } from '../telemetry/tracing';
import type { LogMeta, Logger, LoggerOptions } from './types';

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
  return {
    error: (message, meta) => logger.error(message, meta),
    warn: (message, meta) => logger.warn(message, meta),
    info: (message, meta) => logger.info(message, meta),
    http: (message, meta) => logger.http(message, meta),
    debug: (message, meta) => logger.debug(message, meta),
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
