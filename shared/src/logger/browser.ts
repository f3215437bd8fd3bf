import type { LogLevel, LogMeta, Logger, LoggerOptions } from './types';

export type { LogLevel, LogMeta, Logger, LoggerOptions } from './types';

// Lower is more severe; an entry is written when its rank is at most the configured level's.
const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, http: 3, debug: 4 };

// Browsers and React Native have no `console.http`; request logs are debug-level noise there.
const CONSOLE_METHOD: Record<LogLevel, 'error' | 'warn' | 'info' | 'debug'> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  http: 'debug',
  debug: 'debug',
};

/** A logger for browsers and React Native: one structured object per entry, on the console. */
export function createLogger(options: LoggerOptions): Logger {
  const maxRank = LEVEL_RANK[options.level ?? 'info'];
  return consoleLogger(options.service, maxRank, options.defaultMeta ?? {});
}

function consoleLogger(service: string, maxRank: number, boundMeta: LogMeta): Logger {
  const write = (level: LogLevel) => (message: string, meta?: LogMeta) => {
    if (LEVEL_RANK[level] > maxRank) return;
    // Spread meta first so an entry's own level, message, service and timestamp cannot be overwritten.
    const entry = {
      ...boundMeta,
      ...meta,
      level,
      message,
      service,
      timestamp: new Date().toISOString(),
    };
    // Looked up at call time so that console patches (dev tools, tests) made later still apply.
    console[CONSOLE_METHOD[level]](entry);
  };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    http: write('http'),
    debug: write('debug'),
    child: (meta) => consoleLogger(service, maxRank, { ...boundMeta, ...meta }),
  };
}
