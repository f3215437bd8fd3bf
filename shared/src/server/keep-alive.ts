/**
 * HTTP keep-alive timings, in one place because they only work as a pair. A client that reuses an
 * idle socket at the moment the server closes it gets ECONNRESET ("socket hang up"), so clients
 * (the gateway's agent towards the subgraphs) must let idle sockets go before servers do. Node's
 * default server keepAliveTimeout is 5 s, shorter than most load balancers' idle timeouts (60 s);
 * ours outlast those, and headersTimeout must exceed keepAliveTimeout or Node may drop a
 * keep-alive socket while a request's headers are arriving on it.
 */
export const SERVER_KEEP_ALIVE_TIMEOUT_MS = 65_000;
export const SERVER_HEADERS_TIMEOUT_MS = 66_000;
/** How long the gateway keeps an idle socket to a subgraph: well below the servers' timeout. */
export const CLIENT_IDLE_SOCKET_TIMEOUT_MS = 30_000;
