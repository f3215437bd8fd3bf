import { createClient, type Client } from 'graphql-ws';
import { WebSocket, type ClientOptions } from 'ws';

export interface UpstreamOptions {
  /** Reconnections to a subgraph that dropped before the client's subscription ends in error. */
  retryAttempts: number;
  /** Called whenever the number of open upstream sockets changes (the metrics gauge). */
  onSocketCount?(count: number): void;
}

/** Backoff between reconnections: 250 ms, 500 ms, 1 s … capped at 5 s, plus up to 250 ms. */
async function retryWait(retries: number) {
  const delay = Math.min(250 * 2 ** retries, 5_000) + Math.floor(Math.random() * 250);
  await new Promise((resolve) => setTimeout(resolve, delay));
}

/**
 * The gateway's graphql-ws connections to the subgraphs, counted. Each client connection gets its
 * own upstream connection per subgraph it subscribes to (the subgraph authenticates the same
 * user), opened on its first subscription and closed as soon as its last one completes; a
 * connection that drops is reopened and its subscriptions sent again, up to `retryAttempts`.
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

  return {
    /** The upstream connections of one client connection, by subgraph. */
    forConnection(connectionParams: Record<string, unknown>) {
      const clients = new Map<string, Client>();
      return {
        client(subgraph: string, httpUrl: string): Client {
          let client = clients.get(subgraph);
          if (!client) {
            client = createClient({
              url: httpUrl.replace(/^http/, 'ws'),
              webSocketImpl: CountedWebSocket,
              connectionParams,
              lazy: true,
              lazyCloseTimeout: 0,
              retryAttempts: options.retryAttempts,
              retryWait,
            });
            clients.set(subgraph, client);
          }
          return client;
        },
        /** Ends every upstream subscription of the connection and closes its sockets. */
        async close() {
          const all = [...clients.values()];
          clients.clear();
          await Promise.all(all.map((client) => client.dispose()));
        },
      };
    },
    /** Upstream sockets open (or opening) right now. */
    openSockets: () => open,
  };
}

export type Upstreams = ReturnType<typeof createUpstreams>;
export type ConnectionUpstreams = ReturnType<Upstreams['forConnection']>;
