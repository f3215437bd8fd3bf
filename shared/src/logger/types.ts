export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'debug';

export type LogMeta = Record<string, unknown>;

/** The one logging interface every FitNexa package writes to; pass it in, never import a global. */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  http(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  /** A logger that adds `meta` to every entry. */
  child(meta: LogMeta): Logger;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Extra fields on every entry (instance id, version, ...). */
  defaultMeta?: LogMeta;
}
