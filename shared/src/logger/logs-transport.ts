import { Counter, type Registry } from 'prom-client';
import { processMetrics } from '../middleware/metrics';
import Transport from 'winston-transport';
import type { MessageBus } from '../bus';
import type { LogLevel } from './types';

/** The topic exchange every service's logs go to, with routing key `<service>.<level>`. */
export const LOGS_EXCHANGE = 'logs';

// winston keeps the formatted line (our JSON) under this symbol.
const MESSAGE = Symbol.for('message');

export interface LogsTransportOptions {
  /** Only `publish` is used: a bus created after the logger can be reached through a closure. */
  bus: Pick<MessageBus, 'publish'>;
  /** The first word of every routing key; also set on entries that lack a `service`. */
  service: string;
  /** The most verbose level published (default: the logger's own level). */
  level?: LogLevel;
  /** Entries held while the broker is unreachable; past it the oldest are dropped. Default 1,000. */
  maxBuffered?: number;
  /** Publishes awaiting the broker's confirm at once. Default 64. */
  maxInFlight?: number;
  /** How often publishing is tried again while the broker is unreachable. Default 500 ms. */
  retryMs?: number;
  /** Where dropped entries are counted, as `log_entries_dropped_total{service}`; default: the process's metrics, on every server's /metrics. */
  registry?: Registry;
  /** Where the one warning per outage goes (default: console.warn, never a logger). */
  warn?: (message: string) => void;
}

interface Pending {
  seq: number;
  level: string;
  entry: Record<string, unknown>;
}

/**
 * A winston transport that publishes every entry to the `logs` exchange. `log()` never waits for
 * the broker: entries are handed to the bus and, while it is unreachable, kept in a bounded buffer
 * (in order) that a timer flushes once publishing works again. When the buffer is full the oldest
 * entries are dropped, counted, and one console warning is written per outage.
 */
export class LogsTransport extends Transport {
  /** Entries dropped because the buffer was full, since this transport was created. */
  dropped = 0;
  private readonly bus: Pick<MessageBus, 'publish'>;
  private readonly service: string;
  private readonly maxBuffered: number;
  private readonly maxInFlight: number;
  private readonly retryMs: number;
  private readonly warn: (message: string) => void;
  private readonly droppedCounter: Counter<'service'>;
  /** Waiting to be published, ordered by `seq`. */
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private seq = 0;
  /** Set while the broker is unreachable: publishing goes one entry at a time, on the timer. */
  private outage = false;
  private warnedThisOutage = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private shutDown = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: LogsTransportOptions) {
    super({ level: options.level });
    this.bus = options.bus;
    this.service = options.service;
    this.maxBuffered = Math.max(1, options.maxBuffered ?? 1_000);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 64);
    this.retryMs = options.retryMs ?? 500;
    this.warn = options.warn ?? ((message) => console.warn(message));
    const registry = options.registry ?? processMetrics;
    const name = 'log_entries_dropped_total';
    this.droppedCounter =
      (registry.getSingleMetric(name) as Counter<'service'> | undefined) ??
      new Counter({
        name,
        help: 'Log entries dropped because the message bus was unreachable and the buffer full',
        labelNames: ['service'],
        registers: [registry],
      });
  }

  /** Entries waiting for the broker (buffered or not yet sent). */
  get buffered(): number {
    return this.queue.length;
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    if (!this.shutDown) {
      const entry = toEntry(info, this.service);
      const level = typeof entry.level === 'string' ? entry.level : 'info';
      if (this.queue.length >= this.maxBuffered) this.drop();
      this.queue.push({ seq: this.seq++, level, entry });
      this.pump();
    }
    callback();
  }

  /** Resolves once everything handed in so far was published, or after `timeoutMs`. */
  flush(timeoutMs = 2_000): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.idleWaiters.push(done);
    });
  }

  override close(): void {
    this.shutDown = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.notifyIdle(true);
  }

  private idle() {
    return this.queue.length === 0 && this.inFlight === 0;
  }

  private notifyIdle(force = false) {
    if (!force && !this.idle()) return;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  private drop() {
    this.queue.shift();
    this.dropped += 1;
    this.droppedCounter.inc({ service: this.service });
    if (!this.warnedThisOutage) {
      this.warnedThisOutage = true;
      this.warn(
        JSON.stringify({
          level: 'warn',
          service: this.service,
          message: `message bus unreachable or too slow: dropping the oldest log entries (more than ${this.maxBuffered} waiting)`,
          timestamp: new Date().toISOString(),
        }),
      );
    }
  }

  private pump() {
    if (this.shutDown) return;
    if (this.outage) {
      // During an outage only the timer's probe publishes, one entry at a time.
      if (!this.retryTimer && this.queue.length > 0) this.startOutage();
      return;
    }
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      this.send(this.queue.shift() as Pending);
    }
  }

  private send(pending: Pending) {
    this.inFlight += 1;
    let published: Promise<void>;
    try {
      published = this.bus.publish(
        LOGS_EXCHANGE,
        `${this.service}.${pending.level}`,
        pending.entry,
      );
    } catch (error) {
      published = Promise.reject(error);
    }
    published.then(
      () => {
        this.inFlight -= 1;
        if (this.outage) {
          this.outage = false;
          this.warnedThisOutage = false;
        }
        this.pump();
        // Caught up: a later outage (or burst) gets a warning of its own.
        if (this.idle()) this.warnedThisOutage = false;
        this.notifyIdle();
      },
      () => {
        this.inFlight -= 1;
        this.putBack(pending);
        this.startOutage();
      },
    );
  }

  /** Back where it was in the queue (by sequence), unless the buffer is already full. */
  private putBack(pending: Pending) {
    if (this.shutDown) return;
    if (this.queue.length >= this.maxBuffered) {
      // It is older than everything queued: it is the one to drop.
      this.queue.unshift(pending);
      this.drop();
      return;
    }
    let index = this.queue.findIndex((queued) => queued.seq > pending.seq);
    if (index === -1) index = this.queue.length;
    this.queue.splice(index, 0, pending);
  }

  private startOutage() {
    this.outage = true;
    if (this.retryTimer || this.shutDown) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // One probe; its success ends the outage and resumes full-speed publishing.
      if (this.inFlight === 0 && this.queue.length > 0) this.send(this.queue.shift() as Pending);
      else if (this.queue.length > 0) this.startOutage();
    }, this.retryMs);
    this.retryTimer.unref();
  }
}

/** The entry as the console shows it (winston's JSON line), with the service always set. */
function toEntry(info: Record<string | symbol, unknown>, service: string): Record<string, unknown> {
  const line = info[MESSAGE];
  let entry: Record<string, unknown> | undefined;
  if (typeof line === 'string') {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        entry = parsed as Record<string, unknown>;
      }
    } catch {
      // Not JSON (another format): fall back to the fields themselves.
    }
  }
  entry ??= Object.fromEntries(
    Object.entries(info).filter(([, value]) => typeof value !== 'function'),
  );
  return { service, ...entry, timestamp: entry.timestamp ?? new Date().toISOString() };
}

/** The transport that publishes a service's logs to the `logs` exchange of `bus`. */
export function createLogsTransport(options: LogsTransportOptions): LogsTransport {
  return new LogsTransport(options);
}

const VERBOSITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, http: 3, debug: 4 };

/**
 * The level a service publishes at: its console level, but at least `http`, so the central store
 * has every request (one `http` entry each, from requestTiming) whatever the console shows.
 */
export function publishedLogLevel(consoleLevel: LogLevel): LogLevel {
  return VERBOSITY[consoleLevel] > VERBOSITY.http ? consoleLevel : 'http';
}
