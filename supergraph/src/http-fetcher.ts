import {
  Agent as HttpAgent,
  request as httpRequest,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type {
  Fetcher,
  FetcherHeaders,
  FetcherRequestInit,
  FetcherResponse,
} from '@apollo/utils.fetcher';
import { ErrorCode, FitnexaError } from '@fitnexa/shared/errors';
import { CLIENT_IDLE_SOCKET_TIMEOUT_MS } from '@fitnexa/shared/server';

/** A subgraph that has not answered by then is a failed fetch, not a request held forever. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Subgraph URLs kept parsed. */
const MAX_PARSED_URLS = 256;
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
 * The gateway's fetch to its subgraphs: `node:http` with keep-alive agents. Node 20's global
 * fetch (undici and web streams) was the largest single cost in the gateway's CPU profile, about
 * 340 µs per call against under 100 µs for `http.request`; a dashboard makes a dozen such calls.
 * undici's own request API, cheaper alone, cost 20 % more gateway CPU per request on the
 * benchmark's `varied` workload (decision 0038).
 */
export function keepAliveFetcher(options: KeepAliveFetcherOptions = {}) {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_SUBGRAPH_RESPONSE_BYTES;
  // Idle sockets are let go before the subgraphs' own keep-alive timeout ends them.
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 128,
    timeout: CLIENT_IDLE_SOCKET_TIMEOUT_MS,
  };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  // Each subgraph URL parsed once, not at every fetch (`http.request(url)` parses its string).
  const targets = new Map<string, { secure: boolean; options: RequestOptions }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { secure: parsed.protocol === 'https:', options: urlToHttpOptions(parsed) };
      // The subgraphs' URLs, and what a changed supergraph adds: a bound keeps it that way.
      if (targets.size >= MAX_PARSED_URLS) targets.clear();
      targets.set(url, target);
    }
    return target;
  };

  const sendOnce = (url: string, init: FetcherRequestInit, retryable: boolean) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const { secure, options: target } = targetOf(url);
      const send = secure ? httpsRequest : httpRequest;
      const req = send({
        ...target,
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: secure ? agents.https : agents.http,
        timeout: REQUEST_TIMEOUT_MS,
      });
      let answered = false;
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the subgraph closed just as it was reused: the request never
        // reached it, so a query (never a mutation) is sent once more, on another socket.
        if (retryable && req.reusedSocket && !answered && RESET_CODES.has(error.code ?? '')) {
          resolve(sendOnce(url, init, false));
          return;
        }
        reject(error);
      });
      const signal = init.signal as AbortSignal | undefined;
      signal?.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
      req.on('response', (res) => {
        answered = true;
        let refused = false;
        const tooLarge = () => {
          if (refused) return;
          refused = true;
          // Nothing more is read: the socket goes, with whatever the subgraph still sends.
          req.destroy();
          reject(new SubgraphResponseTooLargeError(maxResponseBytes));
        };
        if (Number(res.headers['content-length'] ?? 0) > maxResponseBytes) {
          tooLarge();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (refused) return;
          if (size > maxResponseBytes) {
            chunks.length = 0;
            tooLarge();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve(
            bufferedResponse(
              url,
              res.statusCode ?? 0,
              new ResponseHeaders(res.headers),
              // Most answers come in one chunk: taken as it is, not copied.
              chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
            ),
          ),
        );
      });
      req.end(init.body);
    });

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
    /** Closes the idle keep-alive sockets (at shutdown). */
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** What a request on a socket the server had just closed fails with ("socket hang up" included). */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

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
 * A subgraph response's headers as Apollo's fetcher interface wants them, over Node's header
 * object of the response (names in lower case; read in place, not copied). The web `Headers`
 * class cost a tenth of the gateway's allocations for the two or three headers ever read.
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
