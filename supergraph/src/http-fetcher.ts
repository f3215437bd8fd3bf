import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type {
  Fetcher,
  FetcherHeaders,
  FetcherRequestInit,
  FetcherResponse,
} from '@apollo/utils.fetcher';
import { Agent, type Dispatcher } from 'undici';
import { ErrorCode, FitnexaError } from '@fitnexa/shared/errors';
import { CLIENT_IDLE_SOCKET_TIMEOUT_MS } from '@fitnexa/shared/server';

/** A subgraph that has not answered by then is a failed fetch, not a request held forever. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The largest subgraph response the gateway reads (32 MiB): a runaway list cannot fill memory. */
export const DEFAULT_MAX_SUBGRAPH_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface KeepAliveFetcherOptions {
  maxSockets?: number;
  /** Past this many bytes of body the fetch fails with SUBGRAPH_RESPONSE_TOO_LARGE. */
  maxResponseBytes?: number;
  /** Identical queries in flight at once share one request (default true); false sends each. */
  deduplicate?: boolean;
}

/** A subgraph's answer was larger than the gateway takes; the rest of it was never read. */
export class SubgraphResponseTooLargeError extends FitnexaError {
  constructor(maxBytes: number) {
    super(
      ErrorCode.SUBGRAPH_RESPONSE_TOO_LARGE,
      `A subgraph answered more than ${maxBytes} bytes`,
      { maxBytes },
    );
  }
}

/**
 * The gateway's fetch to its subgraphs: undici's `request` over keep-alive connection pools.
 * Node 20's global fetch (undici with web streams) cost about 340 µs per call and `http.request`
 * about 100 µs; undici's own request API about 60 µs, with fewer allocations (decision 0038). A
 * page makes a dozen such calls.
 */
export function keepAliveFetcher(options: KeepAliveFetcherOptions = {}) {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_SUBGRAPH_RESPONSE_BYTES;
  const agent = new Agent({
    connections: options.maxSockets ?? 128,
    // Idle connections are let go before the subgraphs' own keep-alive timeout ends them.
    keepAliveTimeout: CLIENT_IDLE_SOCKET_TIMEOUT_MS,
    keepAliveMaxTimeout: CLIENT_IDLE_SOCKET_TIMEOUT_MS,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  // A few subgraph URLs, each parsed once.
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const { origin, pathname, search } = new URL(url);
      target = { origin, path: pathname + search };
      targets.set(url, target);
    }
    return target;
  };

  const sendOnce = async (
    url: string,
    init: FetcherRequestInit,
    retryable: boolean,
  ): Promise<FetcherResponse> => {
    let response: Dispatcher.ResponseData;
    try {
      response = await agent.request({
        ...targetOf(url),
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: init.headers,
        body: init.body,
        signal: init.signal as AbortSignal | undefined,
      });
    } catch (error) {
      // A kept-alive connection the subgraph closed just as it was reused: the request got no
      // answer, so a query (never a mutation) is sent once more, on another connection.
      if (retryable && RESET_CODES.has((error as NodeJS.ErrnoException).code ?? '')) {
        return sendOnce(url, init, false);
      }
      throw error;
    }
    const body = await boundedBody(response, maxResponseBytes);
    return bufferedResponse(url, response.statusCode, new ResponseHeaders(response.headers), body);
  };

  const send: Fetcher = (url, init = {}) => sendOnce(url, init, isQuery(init));

  // Identical queries in flight at once (same subgraph, document, variables and caller) share one
  // request: a popular page opened by many clients costs the subgraph one fetch per moment.
  const inFlight = new Map<string, Promise<FetcherResponse>>();
  const deduplicating: Fetcher = (url, init = {}) => {
    const key = sharableKey(url, init);
    if (!key) return send(url, init);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = send(url, init).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending.then((response) => response.clone());
  };

  const fetcher = options.deduplicate === false ? send : deduplicating;

  return {
    fetcher,
    /** Closes the keep-alive connections (at shutdown). */
    close() {
      void agent.destroy();
    },
  };
}

/** What a request on a connection the server had just closed fails with. */
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * The response body, refused past `maxBytes` (announced or streamed): nothing more is read, and
 * the connection goes with whatever the subgraph still sends.
 */
function boundedBody(
  { headers, body }: Dispatcher.ResponseData,
  maxBytes: number,
): Promise<Buffer> {
  if (Number(headers['content-length'] ?? 0) > maxBytes) {
    body.destroy();
    return Promise.reject(new SubgraphResponseTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        reject(new SubgraphResponseTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    body.once('error', reject);
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
}

// Apollo's subgraph requests serialise `query` first; only queries are shared or retried, never
// mutations.
const QUERY_BODY = /^\{"query":"(?:query\b|\{)/;

function isQuery(init: FetcherRequestInit): boolean {
  return init.method === 'POST' && typeof init.body === 'string' && QUERY_BODY.test(init.body);
}

function sharableKey(url: string, init: FetcherRequestInit): string | undefined {
  if (!isQuery(init)) return undefined;
  const headers = init.headers ?? {};
  const authorization = headers.authorization ?? headers.Authorization ?? '';
  return `${url}\n${authorization}\n${init.body as string}`;
}
function bufferedResponse(
  url: string,
  status: number,
  headers: ResponseHeaders,
  body: Buffer,
): FetcherResponse {
  return {
    bodyUsed: false,
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText: STATUS_CODES[status] ?? '',
    headers,
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')),
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    clone: () => bufferedResponse(url, status, headers.copy(), body),
  };
}

/**
 * A subgraph response's headers as Apollo's fetcher interface wants them, over the plain object
 * undici gives (names in lower case; read in place, not copied). The web `Headers` class cost a
 * tenth of the gateway's allocations for the two or three headers ever read.
 */
class ResponseHeaders implements FetcherHeaders {
  constructor(private readonly byName: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.byName[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.byName[name.toLowerCase()] !== undefined;
  }
  set(name: string, value: string): void {
    this.byName[name.toLowerCase()] = value;
  }
  append(name: string, value: string): void {
    const current = this.get(name);
    this.set(name, current === null ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    delete this.byName[name.toLowerCase()];
  }
  /** Its own copy: what one clone of a response sets, another does not see. */
  copy(): ResponseHeaders {
    return new ResponseHeaders({ ...this.byName });
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.byName)) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
