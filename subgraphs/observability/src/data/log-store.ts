import type { Logger } from '@fitnexa/shared/logger';
import { MongoClient, type Collection, type Filter, type ObjectId } from 'mongodb';
import { MongoDB as MongoDBTransport } from 'winston-mongodb';
import { startMongoStandIn, type MongoStandIn } from './stand-in';

export const LOGS_COLLECTION = 'logs';
export const DEFAULT_DATABASE = 'fitnexa_logs';
/** winston-mongodb's TTL index on `timestamp`: it checks it by this name and keeps it in step. */
const TTL_INDEX = 'timestamp_1';

/** A stored entry, as winston-mongodb writes it: its own fields under `metadata`. */
interface StoredLog {
  _id: ObjectId;
  /** When observability stored it: what the TTL index expires on. */
  timestamp: Date;
  level: string;
  message: string;
  metadata?: Record<string, unknown>;
}

/** A log entry as the graph serves it. */
export interface LogRecord {
  id: string;
  /** When the service wrote it (its own timestamp), else when it was stored. */
  timestamp: Date;
  service: string;
  level: string;
  message: string;
  correlationId: string | null;
  /** The OpenTelemetry trace it was written in (the logger's `trace_id`), if any. */
  traceId: string | null;
  details: Record<string, unknown>;
}

export interface LogSearch {
  service?: string;
  level?: string;
  correlationId?: string;
  traceId?: string;
  /** Stored at or after. */
  since?: Date;
  limit: number;
}

/** What the consumer writes: winston's shape, `level` and `message` plus any fields. */
export interface LogInput {
  level: string;
  message: string;
  service: string;
  [field: string]: unknown;
}

const isConnectivityError = (error: unknown) =>
  error instanceof Error &&
  /MongoNetwork|MongoServerSelection|MongoNotConnected|PoolCleared|MongoTopologyClosed/.test(
    error.name,
  );

/** Log entries in MongoDB: written through winston-mongodb, read with the driver. */
export class LogStore {
  constructor(
    private readonly collection: Collection<StoredLog>,
    private readonly writer: InstanceType<typeof MongoDBTransport>,
    private readonly expireAfterSeconds: number,
  ) {}

  /**
   * Deletes entries stored longer ago than the retention, as MongoDB's TTL monitor does; for the
   * stand-in, which keeps TTL indexes without expiring anything.
   */
  async expire(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.expireAfterSeconds * 1_000);
    const { deletedCount } = await this.collection.deleteMany({ timestamp: { $lt: cutoff } });
    return deletedCount;
  }

  /** Stores one entry; resolves once MongoDB acknowledged it. */
  write(entry: LogInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writer.log?.(entry, (error?: unknown) => (error ? reject(error) : resolve()));
    });
  }

  /** Whether a failed write may succeed later (MongoDB unreachable) rather than never. */
  static retryable(error: unknown): boolean {
    return isConnectivityError(error);
  }

  async search(search: LogSearch): Promise<LogRecord[]> {
    const filter: Filter<StoredLog> = {};
    if (search.service) filter['metadata.service'] = search.service;
    if (search.correlationId) filter['metadata.correlationId'] = search.correlationId;
    if (search.traceId) filter['metadata.trace_id'] = search.traceId;
    if (search.level) filter.level = search.level;
    if (search.since) filter.timestamp = { $gte: search.since };
    const documents = await this.collection
      .find(filter)
      .sort({ timestamp: -1, _id: -1 })
      .limit(search.limit)
      .toArray();
    return documents.map(toRecord);
  }

  /** The TTL index's lifetime in seconds, as MongoDB reports it. */
  async retentionSeconds(): Promise<number | undefined> {
    const indexes = await this.collection.listIndexes().toArray();
    return indexes.find((index) => index.name === TTL_INDEX)?.expireAfterSeconds as
      number | undefined;
  }
}

function toRecord(document: StoredLog): LogRecord {
  const {
    service,
    correlationId,
    trace_id: traceId,
    timestamp: written,
    ...details
  } = (document.metadata ?? {}) as Record<string, unknown>;
  const writtenAt = typeof written === 'string' ? new Date(written) : undefined;
  return {
    id: document._id.toHexString(),
    timestamp: writtenAt && !Number.isNaN(writtenAt.getTime()) ? writtenAt : document.timestamp,
    service: typeof service === 'string' ? service : 'unknown',
    level: document.level,
    message: document.message,
    correlationId: typeof correlationId === 'string' ? correlationId : null,
    traceId: typeof traceId === 'string' ? traceId : null,
    details,
  };
}

export interface OpenLogStore {
  store: LogStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The database a connection string names (its path), or `fitnexa_logs`. */
export function databaseOf(url: string): string {
  return /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url)?.[1] ?? DEFAULT_DATABASE;
}

/**
 * Connects to MongoDB at `url`, or to an in-process stand-in without one; makes sure of the
 * collection, its TTL index (`retentionDays`) and the indexes searches use.
 */
export async function openLogStore(options: {
  url?: string;
  retentionDays: number;
  logger: Logger;
}): Promise<OpenLogStore> {
  const standIn: MongoStandIn | undefined = options.url
    ? undefined
    : await startMongoStandIn(DEFAULT_DATABASE);
  const url = options.url ?? (standIn as MongoStandIn).url;
  // The driver's default selection timeout (30 s): in one process with embedded databases the
  // event loop can be busy for seconds at start (PGlite migrating and seeding).
  const client = new MongoClient(url, { maxPoolSize: 10 });
  try {
    await client.connect();
    const db = client.db(databaseOf(url));
    const collection = db.collection<StoredLog>(LOGS_COLLECTION);
    const expireAfterSeconds = options.retentionDays * 86_400;
    await ensureIndexes(collection, expireAfterSeconds);
    const writer = new MongoDBTransport({
      db: Promise.resolve(client),
      dbName: db.databaseName,
      collection: LOGS_COLLECTION,
      level: 'debug',
      expireAfterSeconds,
      // The client is ours: closed below, after the consumer stopped.
      leaveConnectionOpen: true,
    });
    // A failed insert also rejects the write that caused it; unhandled it would crash the process.
    writer.on('error', (error: Error) =>
      options.logger.debug('log entry not stored', { error: error.message }),
    );
    const store = new LogStore(collection, writer, expireAfterSeconds);
    // The stand-in keeps TTL indexes without expiring anything: do what MongoDB's TTL monitor does.
    const sweep = standIn
      ? setInterval(() => void store.expire().catch(() => undefined), 60_000)
      : undefined;
    sweep?.unref();
    options.logger.info('log store open', {
      mongodb: standIn ? 'in-process stand-in (memory only)' : 'MONGODB_URL',
      database: db.databaseName,
      retentionDays: options.retentionDays,
    });
    return {
      store,
      ping: async () => {
        await db.command({ ping: 1 });
      },
      async close() {
        clearInterval(sweep);
        writer.close?.();
        await client.close();
        await standIn?.stop();
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    await standIn?.stop();
    throw error;
  }
}

async function ensureIndexes(collection: Collection<StoredLog>, expireAfterSeconds: number) {
  // MongoDB refuses to list the indexes of a collection that does not exist yet.
  const existing = await collection
    .listIndexes()
    .toArray()
    .catch(() => []);
  const ttl = existing.find((index) => index.name === TTL_INDEX);
  if (ttl && ttl.expireAfterSeconds !== expireAfterSeconds) await collection.dropIndex(TTL_INDEX);
  if (!ttl || ttl.expireAfterSeconds !== expireAfterSeconds) {
    await collection.createIndex({ timestamp: -1 }, { name: TTL_INDEX, expireAfterSeconds });
  }
  await collection.createIndex({ 'metadata.correlationId': 1, timestamp: -1 });
  await collection.createIndex({ 'metadata.trace_id': 1, timestamp: -1 });
  await collection.createIndex({ 'metadata.service': 1, timestamp: -1 });
}
