import { BusUnavailableError, createMessageBus, type MessageBus } from '../bus';
import { metricsPortOf } from '../config';
import {
  createLogger,
  createLogsTransport,
  publishedLogLevel,
  type LogLevel,
  type Logger,
} from '../logger/node';
import type { RunningServer } from './serve';
import { errorMessage, errorStack } from '../errors';
import { processTelemetry } from '../telemetry/sdk';

/** What every FitNexa process is configured with. */
export interface ProcessConfig {
  LOG_LEVEL: LogLevel;
  RABBITMQ_URL?: string;
  NODE_ENV?: string;
  METRICS_PORT?: number;
  /** On SIGTERM, how long to serve drained before closing (see `stopOnSignals`). */
  SHUTDOWN_DELAY_MS?: number;
}

/** Logs why the process cannot go on, then exits 1. */
export function exitOnFailure(logger: Logger, what: string) {
  return (error: unknown) => {
    logger.error(what, { error: errorStack(error) });
    process.exit(1);
  };
}

/**
 * A server's `main.ts`: starts it with its validated config (METRICS_PORT defaulted for NODE_ENV,
 * see `metricsPortOf`) and a logger, stops it gracefully on
 * SIGTERM/SIGINT, and exits 1 (with the reason logged) when it cannot start. Faults nobody caught
 * are logged (see `handleProcessFaults`).
 */
export function runService<Config extends ProcessConfig>(
  service: string,
  config: Config,
  start: (options: Config & { logger: Logger; bus: MessageBus }) => Promise<RunningServer>,
): void {
  // The bus logs through the logger that publishes to it: the transport never waits for the bus,
  // so the bus's own warnings (a lost connection) are buffered and published like any entry.
  // Spans done outside any request (events consumed, the outbox relay) are the server's own.
  const telemetry = processTelemetry();
  telemetry.nameProcess(service);
  const created: { bus?: MessageBus } = {};
  const logsTransport = createLogsTransport({
    bus: {
      publish: (...args) =>
        created.bus
          ? created.bus.publish(...args)
          : Promise.reject(new BusUnavailableError('starting')),
    },
    service,
    level: publishedLogLevel(config.LOG_LEVEL),
  });
  const logger = createLogger({ service, level: config.LOG_LEVEL, transports: [logsTransport] });
  const bus = createMessageBus({ url: config.RABBITMQ_URL, name: service, logger });
  created.bus = bus;
  const started: { server?: RunningServer } = {};
  const stop = async () => {
    await started.server?.stop();
    // What the shutdown itself logged, as far as the broker takes it in a moment.
    await logsTransport.flush(2_000);
    await bus.close();
    await telemetry.shutdown();
  };
  handleProcessFaults(logger, stop);
  start({ ...config, METRICS_PORT: metricsPortOf(config), logger, bus }).then(
    (server) => {
      started.server = server;
      stopOnSignals({ drain: () => server.drain(), stop }, logger, config.SHUTDOWN_DELAY_MS);
    },
    exitOnFailure(logger, `${service} failed to start`),
  );
}

/** How long a stop after an uncaught exception may take before the process exits regardless. */
const FAULT_STOP_TIMEOUT_MS = 10_000;

/**
 * What the process does with faults nobody caught. A promise rejected with nobody listening is a
 * bug to fix, logged with its stack; the process goes on, since the request or message it belonged
 * to has already failed on its own. An uncaught exception leaves the process in a state nobody
 * knows: it is logged, the server stops gracefully (requests in flight finish, connections close,
 * at most FAULT_STOP_TIMEOUT_MS), and the process exits 1 for its supervisor to start another.
 * Returns the removal of the handlers.
 */
export function handleProcessFaults(logger: Logger, stop: () => Promise<void>): () => void {
  let stopping = false;
  const onRejection = (reason: unknown) => {
    logger.error('unhandled promise rejection', { error: errorStack(reason) });
  };
  const onException = (error: unknown, origin: string) => {
    logger.error('uncaught exception; stopping', { error: errorStack(error), origin });
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), FAULT_STOP_TIMEOUT_MS).unref();
    stop()
      .catch((stopError: unknown) =>
        logger.error('shutdown failed', { error: errorStack(stopError) }),
      )
      .finally(() => process.exit(1));
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}

/**
 * Stops the server on SIGTERM or SIGINT, then lets the process end. With a `delayMs`, the server
 * first drains (readiness 503, every request still served) for that long: the time a load
 * balancer takes to stop sending it new requests, which would otherwise be refused once it closes.
 */
export function stopOnSignals(
  server: { drain?(): void; stop(): Promise<void> },
  logger: Logger,
  delayMs = 0,
) {
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal, delayMs });
    server.drain?.();
    new Promise((resolve) => setTimeout(resolve, delayMs))
      .then(() => server.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', {
            error: errorMessage(error),
          });
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
