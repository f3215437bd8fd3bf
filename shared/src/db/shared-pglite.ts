// The services of one process that keep their data in the same directory share one embedded
// PGlite, each in its own schema and as its own role, as on a PostgreSQL server: one database
// instead of one per service is most of `npm start`'s memory and start-up time (0025).
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { initialiseFromTemplate, isInitialised } from './pglite-template';
import { quoteIdent, type SqlSession } from './sql';

/** What of PGlite its Prisma adapter and the migrations call, on one service's schema and role. */
export type PgliteSession = Pick<PGlite, 'query' | 'exec' | 'transaction'>;

export interface SharedPgliteLease {
  /** Every statement runs as the service's role, with its schema as the search path. */
  session: PgliteSession;
  sql: SqlSession;
  /** Runs `work` with the database to itself, as the service's role (migrations). */
  exclusive<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Gives the lease back; the last one closes the database. */
  close(): Promise<void>;
}

interface Shared {
  pglite: Promise<PGlite>;
  leases: number;
  /** The statement that made the session whose it is now (PGlite is one session). */
  current?: string;
  /** The tail of the queue of turns: one service's statement (or transaction) at a time. */
  tail: Promise<unknown>;
}

const open = new Map<string, Shared>();
/** Databases being closed, by directory: opening one again waits for that. */
const closing = new Map<string, Promise<void>>();

/** The directory under DATA_DIR that holds the shared database. */
export function sharedPgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite', 'services');
}

/**
 * Leases `schema` (and `role`, owning it and nothing else) in the process's PGlite for `dataDir`,
 * opening it on the first lease. `memory://` opens one of the lease's own.
 */
export async function leaseSharedPglite(
  dataDir: string,
  { schema, role }: { schema: string; role: string },
): Promise<SharedPgliteLease> {
  const key = dataDir === 'memory://' ? undefined : dataDir;
  let shared = key === undefined ? undefined : open.get(key);
  if (!shared) {
    shared = { pglite: openPglite(dataDir), leases: 0, tail: Promise.resolve() };
    if (key !== undefined) open.set(key, shared);
  }
  shared.leases++;
  const state = shared;
  let pglite: PGlite;
  try {
    pglite = await state.pglite;
    await inTurn(state, () => provision(pglite, state, { schema, role }));
  } catch (error) {
    await release(key, state);
    throw error;
  }
  return leaseOn(key, state, pglite, { schema, role });
}

// PostgreSQL sets up all of its shared buffers at every start: its default 128 MB cost about half a
// second of CPU and 125 MB resident memory for development data of a few MB. Past 16 MB, pages
// come from the operating system's file cache (or memory://'s), not from the disk.
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

let compiling: Promise<WebAssembly.Module> | undefined;

/**
 * Starts compiling PGlite's PostgreSQL (9 MB of wasm) on V8's background threads, for the first
 * database this process opens on disk: `npm start` calls it before it loads the graph's modules,
 * which keep the main thread busy meanwhile, instead of waiting for the compilation when the first
 * service opens its database.
 */
export function compilePgliteEarly(): void {
  compiling ??= readFile(require.resolve('@electric-sql/pglite/pglite.wasm')).then((bytes) =>
    WebAssembly.compile(bytes),
  );
}

async function openPglite(dataDir: string): Promise<PGlite> {
  if (dataDir === 'memory://') return PGlite.create('memory://', { startParams: START_PARAMS });
  await closing.get(dataDir);
  const dir = sharedPgliteDir(dataDir);
  // A new database starts as a copy of an empty one made once (0032), not with an `initdb`;
  // where no template can be made (a read-only node_modules), PGlite makes it here, as before.
  if (!isInitialised(dir) && (await isEmpty(dir))) {
    await initialiseFromTemplate(dir).catch(() => mkdir(dir, { recursive: true }));
  }
  // Failed or not started: PGlite compiles its own.
  const pgliteWasmModule = await compiling?.catch(() => undefined);
  const pglite = await PGlite.create(dir, {
    startParams: START_PARAMS,
    ...(pgliteWasmModule && { pgliteWasmModule }),
  });
  // A commit returns before its WAL reaches the disk: a crash may lose the last few hundred
  // milliseconds of the embedded (development) data, never corrupt it, and each commit costs
  // half as much CPU (seeding is mostly commits).
  await pglite.exec('SET synchronous_commit TO off');
  return pglite;
}

async function isEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

// As provisionServiceRole on a server: a role that owns the schema, which nobody else may use.
// (Names are checked identifiers: see assertIdentifier.)
async function provision(
  pglite: PGlite,
  state: Shared,
  { schema, role }: { schema: string; role: string },
) {
  state.current = undefined;
  await pglite.exec(`RESET ROLE; RESET search_path;
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${quoteIdent(role)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
      END IF;
    END $$;
    CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(role)};
    ALTER SCHEMA ${quoteIdent(schema)} OWNER TO ${quoteIdent(role)};
    REVOKE ALL ON SCHEMA ${quoteIdent(schema)} FROM PUBLIC;`);
}

/** Queues `work` after every turn asked for before it. */
function inTurn<T>(state: Shared, work: () => Promise<T>): Promise<T> {
  const result = state.tail.then(work);
  state.tail = result.catch(() => undefined);
  return result;
}

function leaseOn(
  key: string | undefined,
  state: Shared,
  pglite: PGlite,
  { schema, role }: { schema: string; role: string },
): SharedPgliteLease {
  const becomeOwner = `SET ROLE ${quoteIdent(role)}; SET search_path TO ${quoteIdent(schema)}`;
  // Switches the session to this service unless it already is; called in the service's turn.
  const switchTo = async () => {
    if (state.current === becomeOwner) return;
    await pglite.exec(becomeOwner);
    state.current = becomeOwner;
  };
  const session: PgliteSession = {
    query: ((text: string, params?: unknown[], options?: object) =>
      inTurn(state, async () => {
        await switchTo();
        return pglite.query(text, params, options);
      })) as PGlite['query'],
    exec: ((script: string, options?: object) =>
      inTurn(state, async () => {
        await switchTo();
        return pglite.exec(script, options);
      })) as PGlite['exec'],
    // The turn lasts the whole transaction. SET LOCAL ends with it, so whoever the session was
    // before, it is again afterwards.
    transaction: <T>(work: (tx: Transaction) => Promise<T>) =>
      inTurn(state, () =>
        pglite.transaction(async (tx) => {
          if (state.current !== becomeOwner) {
            await tx.exec(
              `SET LOCAL ROLE ${quoteIdent(role)}; SET LOCAL search_path TO ${quoteIdent(schema)}`,
            );
          }
          return work(tx);
        }),
      ),
  };
  let closed = false;
  return {
    session,
    sql: {
      query: async <Row>(text: string, params?: unknown[]) =>
        (await session.query<Row>(text, params)).rows,
      exec: async (script) => {
        await session.exec(script);
      },
    },
    exclusive: (work) =>
      inTurn(state, async () => {
        await switchTo();
        return work({
          query: async <Row>(text: string, params?: unknown[]) =>
            (await pglite.query<Row>(text, params)).rows,
          exec: async (script) => {
            await pglite.exec(script);
          },
        });
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await release(key, state);
    },
  };
}

async function release(key: string | undefined, state: Shared) {
  state.leases--;
  if (state.leases > 0) return;
  const done = (async () => {
    const pglite = await state.pglite.catch(() => undefined);
    // After the turns already queued.
    await state.tail;
    await pglite?.close();
  })();
  if (key === undefined) return done;
  open.delete(key);
  closing.set(key, done);
  try {
    await done;
  } finally {
    if (closing.get(key) === done) closing.delete(key);
  }
}
