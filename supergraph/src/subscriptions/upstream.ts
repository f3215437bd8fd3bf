import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '@fitnexa/shared/auth';
import { errorMessage } from '@fitnexa/shared/errors';
import {
  CALLERS_PARAM,
  CALLERS_PER_SUBSCRIPTION,
  parseNextToMany,
  type NextToMany,
} from '@fitnexa/shared/realtime';
import { CloseCode, createClient, type Client } from 'graphql-ws';
import { WebSocket, type ClientOptions } from 'ws';

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

/** An upstream connection taken for one subscription; `release` once that subscription ended. */
export interface UpstreamLease {
  client: Client;
  release(): void;
}

/**
 * The gateway's graphql-ws connections to the subgraphs, counted: one per subgraph, shared by
 * every caller (decision 0043). Each subscription names its caller in its `extensions` (the
 * caller's token and correlation id); the subgraph authorises each one on its own, and answers an
 * event that reached several of them with one `next-to-many` frame, handed here to each of its
 * subscriptions as graphql-ws's own `next`. A connection is opened with its first subscription and
 * closed as soon as its last one ended; one that drops is reopened and its subscriptions sent
 * again, up to `retryAttempts`.
 */
export function createUpstreams(options: UpstreamOptions) {
  // The JSON each `next-to-many` payload was parsed from, by the payload its subscriptions got.
  const payloadJson = new WeakMap<object, string>();
  let open = 0;
  const changed = (delta: number) => {
    open += delta;
    options.onSocketCount?.(open);
  };
  /**
   * ws, counting every socket from its creation until its 'close' (which ws always emits), and
   * reading `next-to-many` frames as one `next` per subscription named.
   */
  class UpstreamWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[], wsOptions?: ClientOptions) {
      super(address, protocols, wsOptions);
      changed(1);
      this.once('close', () => changed(-1));
    }

    /**
     * A message reaches graphql-ws's client as it came, or, for a `next-to-many` frame, as one
     * `next` message per subscription it names, all holding the payload parsed once (deeply frozen:
     * each subscription's event resolves on a copy of its own, ./execution). The messages go as
     * objects: `ws` hands a binary message's data to graphql-ws's listener untouched, and graphql-ws
     * checks a message that is not a string as it checks a parsed one. A malformed frame closes
     * the connection as graphql-ws closes it for a bad message (4004), which ends its
     * subscriptions with an error.
     */
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'message' || args[1] === true) return super.emit(event, ...args);
      const text = String(args[0]);
      let many: NextToMany | undefined;
      let payload: unknown;
      try {
        many = parseNextToMany(text);
        if (many) {
          payload = JSON.parse(many.payloadJson);
          if (typeof payload === 'object' && payload !== null) {
            // Nested deeper than the stack can walk, it throws here rather than crash the process.
            deepFreeze(payload);
            payloadJson.set(payload, many.payloadJson);
          }
        }
      } catch (error) {
        this.close(CloseCode.BadResponse, errorMessage(error));
        return true;
      }
      if (!many) return super.emit(event, text, false);
      for (const id of many.ids) super.emit(event, { id, type: 'next', payload }, true);
      return true;
    }
  }

  const pool = new Map<string, { client: Client; leases: number }>();

  return {
    /** The connection to `subgraph`, opened (lazily) when there is none. */
    lease(subgraph: string, httpUrl: string): UpstreamLease {
      let entry = pool.get(subgraph);
      if (!entry) {
        entry = {
          client: createClient({
            url: httpUrl.replace(/^http/, 'ws'),
            webSocketImpl: UpstreamWebSocket,
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
          leases: 0,
        };
        pool.set(subgraph, entry);
      }
      const leased = entry;
      leased.leases += 1;
      let released = false;
      return {
        client: leased.client,
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
    /**
     * The JSON `payload` was parsed from, when it came in a `next-to-many` frame: the same string
     * for every subscription the frame named.
     */
    jsonOf: (payload: object): string | undefined => payloadJson.get(payload),
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
