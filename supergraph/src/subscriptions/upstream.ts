import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '@fitnexa/shared/auth';
import { createClient, type Client } from 'graphql-ws';
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

/** An upstream connection taken for one subscription; `release` once that subscription ended. */
export interface UpstreamLease {
  client: Client;
  release(): void;
}

/**
 * The gateway's graphql-ws connections to the subgraphs, counted. There is one upstream
 * connection per caller and subgraph: `caller` is the client's access token (or empty without
 * one), so every client connection with the same token shares it (the subgraph authenticates
 * exactly the same credentials), and no two tokens ever do. It is opened with its first
 * subscription (with the `connectionParams` of the client connection that opened it: token and
 * correlation id) and closed as soon as its last subscription ended; a connection that drops is
 * reopened and its subscriptions sent again, up to `retryAttempts`.
 */
export function createUpstreams(options: UpstreamOptions) {
  let open = 0;
  const changed = (delta: number) => {
    open += delta;
    options.onSocketCount?.(open);
  };
  /** ws, counting every socket from its creation until its 'close' (which ws always emits). */
  class CountedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[], wsOptions?: ClientOptions) {
      super(address, protocols, wsOptions);
      changed(1);
      this.once('close', () => changed(-1));
    }
  }

  const pool = new Map<string, { client: Client; leases: number }>();

  return {
    /** The caller's connection to `subgraph`, opened (lazily) when it has none. */
    lease(
      caller: string,
      connectionParams: Record<string, unknown>,
      subgraph: string,
      httpUrl: string,
    ): UpstreamLease {
      const key = `${subgraph}\n${caller}`;
      let entry = pool.get(key);
      if (!entry) {
        entry = {
          client: createClient({
            url: httpUrl.replace(/^http/, 'ws'),
            webSocketImpl: CountedWebSocket,
            // Asked at every (re)connection, so a reconnection hours later has a fresh credential.
            connectionParams: async () => ({
              ...connectionParams,
              [SERVICE_TOKEN_HEADER]: await options.serviceTokens.tokenFor(subgraph),
            }),
            lazy: true,
            lazyCloseTimeout: 0,
            retryAttempts: options.retryAttempts,
            retryWait,
            // 4403: the subgraph refused the caller's token (revoked): trying again cannot help.
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
        pool.set(key, entry);
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
          if (pool.get(key) === leased) pool.delete(key);
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
