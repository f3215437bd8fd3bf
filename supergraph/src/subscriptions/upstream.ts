import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '@fitnexa/shared/auth';
import { errorMessage } from '@fitnexa/shared/errors';
import {
  CALLERS_PARAM,
  CALLERS_PER_SUBSCRIPTION,
  NEXT_TO_MANY,
  parseNextToMany,
  type NextToMany,
} from '@fitnexa/shared/realtime';
import { CloseCode, createClient, type Client, type SubscribePayload } from 'graphql-ws';
import { WebSocket, type ClientOptions } from 'ws';
import type { UpstreamEvent } from './execution';

export interface UpstreamOptions {
  /** Reconnections to a subgraph that dropped before the client's subscription ends in error. */
  retryAttempts: number;
  /** The gateway's service credentials: every upstream connection carries one for its subgraph. */
  serviceTokens: ServiceTokenIssuer;
  /** Called whenever the number of open upstream sockets changes (the metrics gauge). */
  onSocketCount?(count: number): void;
}

/** Backoff between reconnections: 250 ms, 500 ms, 1 s … capped at 5 s, plus up to 250 ms. */
async function retryWait(retries: number) {
  const delay = Math.min(250 * 2 ** retries, 5_000) + Math.floor(Math.random() * 250);
  await new Promise((resolve) => setTimeout(resolve, delay));
}

/** Freezes a parsed JSON value and everything in it. */
function deepFreeze(value: object) {
  Object.freeze(value);
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  }
}

/** An object as graphql-ws requires of a `next` payload: not null, not an array. */
const isPayload = (value: unknown): value is UpstreamEvent =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where an upstream subscription's events go. */
export interface UpstreamSubscriptionSink {
  /**
   * An event; `json` is the JSON it came as when a `next-to-many` frame carried it: one string
   * for every subscription the frame named.
   */
  next(event: UpstreamEvent, json: string | undefined): void;
  /** graphql-ws's error: the subgraph's errors (an array), or the connection's close or error. */
  error(error: unknown): void;
  complete(): void;
}

/** An upstream connection taken for subscriptions; `release` once the last of them ended. */
export interface UpstreamLease {
  /** Subscribes on the connection; the function returned stops the subscription. */
  subscribe(payload: SubscribePayload, sink: UpstreamSubscriptionSink): () => void;
  release(): void;
}

/** The `next` of a subscription by its graphql-ws id, on one upstream connection. */
type NextById = Map<string, UpstreamSubscriptionSink['next']>;

/**
 * ws for one upstream connection, counting every socket from its creation until its 'close'
 * (which ws always emits) with `counted`, and reading each `next-to-many` frame once: its payload
 * parsed and deeply frozen (each subscription's event resolves on a copy of its own, ./execution),
 * then handed to the `next` of every subscription it names on this connection, straight from
 * `nexts` (graphql-ws's client would take each as a message of its own: an event object, the
 * message checked, its listeners copied, per subscription). Every other message goes to
 * graphql-ws's client as it came. A malformed frame closes the connection as graphql-ws closes it
 * for a bad message (4004), which ends its subscriptions with an error.
 */
function upstreamSocket(nexts: NextById, counted: (delta: number) => void) {
  return class UpstreamWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[], wsOptions?: ClientOptions) {
      super(address, protocols, wsOptions);
      counted(1);
      this.once('close', () => counted(-1));
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'message' || args[1] === true) return super.emit(event, ...args);
      const text = String(args[0]);
      let many: NextToMany | undefined;
      try {
        many = parseNextToMany(text);
        if (many) {
          const payload: unknown = JSON.parse(many.payloadJson);
          if (!isPayload(payload)) throw new Error(`Malformed ${NEXT_TO_MANY} frame`);
          // Nested deeper than the stack can walk, it throws here rather than crash the process.
          deepFreeze(payload);
          // An id this connection does not hold (a subscription that ended) is let be, as
          // graphql-ws lets be a `next` it has no listener for.
          for (const id of many.ids) nexts.get(id)?.(payload, many.payloadJson);
        }
      } catch (error) {
        // As graphql-ws's client closes for a message it cannot read or its handling threw.
        this.close(CloseCode.BadResponse, errorMessage(error));
        return true;
      }
      return many ? true : super.emit(event, text, false);
    }
  };
}

/**
 * The gateway's graphql-ws connections to the subgraphs, counted: one per subgraph, shared by
 * every caller (decision 0043). Each subscription names its caller in its `extensions` (the
 * caller's token and correlation id); the subgraph authorises each one on its own, and answers an
 * event that reached several of them with one `next-to-many` frame, read once for all of them
 * (upstreamSocket). A connection is opened with its first subscription and closed as soon as its
 * last one ended; one that drops is reopened and its subscriptions sent again, up to
 * `retryAttempts`.
 */
export function createUpstreams(options: UpstreamOptions) {
  let open = 0;
  const changed = (delta: number) => {
    open += delta;
    options.onSocketCount?.(open);
  };
  // The id each subscription was given, by its payload: graphql-ws asks `generateID` for it with
  // that payload as the subscription starts.
  const ids = new WeakMap<SubscribePayload, string>();

  const pool = new Map<string, { client: Client; nexts: NextById; leases: number }>();

  return {
    /** The connection to `subgraph`, opened (lazily) when there is none. */
    lease(subgraph: string, httpUrl: string): UpstreamLease {
      let entry = pool.get(subgraph);
      if (!entry) {
        const nexts: NextById = new Map();
        entry = {
          client: createClient({
            url: httpUrl.replace(/^http/, 'ws'),
            webSocketImpl: upstreamSocket(nexts, changed),
            generateID: (payload) => ids.get(payload) ?? randomUUID(),
            // Asked at every (re)connection, so a reconnection hours later has a fresh credential.
            connectionParams: async () => ({
              [SERVICE_TOKEN_HEADER]: await options.serviceTokens.tokenFor(subgraph),
              [CALLERS_PARAM]: CALLERS_PER_SUBSCRIPTION,
            }),
            lazy: true,
            lazyCloseTimeout: 0,
            retryAttempts: options.retryAttempts,
            retryWait,
            // 4403: the subgraph refused the gateway's credential: trying again cannot help.
            shouldRetry: (closed) =>
              !(
                typeof closed === 'object' &&
                closed !== null &&
                'code' in closed &&
                closed.code === 4403
              ),
          }),
          nexts,
          leases: 0,
        };
        pool.set(subgraph, entry);
      }
      const leased = entry;
      leased.leases += 1;
      let released = false;
      return {
        subscribe(payload, sink) {
          const id = randomUUID();
          ids.set(payload, id);
          const ended = () => leased.nexts.delete(id);
          leased.nexts.set(id, sink.next);
          const stop = leased.client.subscribe<Record<string, unknown>, unknown>(payload, {
            next: (event) => sink.next(event, undefined),
            error: (error) => {
              ended();
              sink.error(error);
            },
            complete: () => {
              ended();
              sink.complete();
            },
          });
          return () => {
            ended();
            stop();
          };
        },
        release() {
          if (released) return;
          released = true;
          leased.leases -= 1;
          if (leased.leases > 0) return;
          if (pool.get(subgraph) === leased) pool.delete(subgraph);
          // dispose waits for a connection under way, and rejects when that one fails (a retry
          // that finds no subscription left): nothing to do about it, and unhandled it would
          // end the process.
          Promise.resolve(leased.client.dispose()).catch(() => {});
        },
      };
    },
    /** Upstream sockets open (or opening) right now. */
    openSockets: () => open,
    /** Closes every upstream connection (at shutdown). */
    async close() {
      const all = [...pool.values()];
      pool.clear();
      await Promise.allSettled(all.map(({ client }) => client.dispose()));
    },
  };
}
