import type { LogEntryResolvers, LogLevel } from '../generated/graphql';

const LEVELS: Record<string, LogLevel> = {
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  http: 'HTTP',
  debug: 'DEBUG',
};

export const LogEntry: LogEntryResolvers = {
  level: (entry) => LEVELS[entry.level] ?? 'INFO',
  details: (entry) => (Object.keys(entry.details).length ? JSON.stringify(entry.details) : null),
};
