import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { CacheHint, CachePolicy } from '@apollo/cache-control-types';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { SERVICE_TOKEN_HEADER, type ServiceTokenIssuer } from '@fitnexa/shared/auth';
import { ErrorCode } from '@fitnexa/shared/errors';
import { CORRELATION_HEADER } from '@fitnexa/shared/middleware';
import { traceHeaders } from '@fitnexa/shared/telemetry';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context';
import type { createGatewayMetrics } from '../gateway-metrics';
import type { keepAliveFetcher } from '../http-fetcher';
import type { SubgraphEndpoint } from '../subgraphs';
import {
  entityQueryOf,
  mergedQuery,
  mergedVariables,
  splitAnswer,
  type FetchAnswer,
} from './entity-batching';

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;

interface PendingFetch {
  options: ProcessOptions;
  resolve: (response: GatewayGraphQLResponse) => void;
  reject: (error: unknown) => void;
}

/**
 * Passes the caller's token, correlation id and trace context on to every subgraph request, with the gateway's
 * own credential for that subgraph (cached by the issuer: no signing per request).
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** Entity fetches of one operation (by its context) waiting to go out together. */
  private readonly pending = new Map<object, PendingFetch[]>();

  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly subgraph: string,
    private readonly serviceTokens: ServiceTokenIssuer,
    private readonly batchEntityFetches = true,
  ) {
    super(config);
  }

  /**
   * An operation's `_entities` fetches to this subgraph that Apollo's plan starts at the same
   * moment (one Parallel node) go out as one request, split back per fetch (entity-batching.ts).
   * Only fetches of the same operation, i.e. the same caller, are ever merged.
   */
  override process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    if (
      !this.batchEntityFetches ||
      // Health checks and schema loading have no incoming operation.
      !('incomingRequestContext' in options) ||
      options.request.http !== undefined ||
      !options.request.query ||
      !entityQueryOf(options.request.query)
    ) {
      return this.send(options);
    }
    return new Promise((resolve, reject) => {
      const { context } = options;
      let batch = this.pending.get(context);
      if (!batch) {
        batch = [];
        this.pending.set(context, batch);
        // After the fetches started in this turn of the event loop have joined.
        setImmediate(() => void this.sendBatch(context));
      }
      batch.push({ options, resolve, reject });
    });
  }

  private async sendBatch(context: object): Promise<void> {
    const batch = this.pending.get(context) ?? [];
    this.pending.delete(context);
    const alone = ({ options, resolve, reject }: PendingFetch) =>
      this.send(options).then(resolve, reject);
    if (batch.length < 2) {
      await Promise.all(batch.map(alone));
      return;
    }
    const fetches = batch.map(({ options }) => options.request as { query: string });
    const [first] = batch as [PendingFetch];
    let merged: { response: GatewayGraphQLResponse; answers: FetchAnswer[] } | undefined;
    try {
      const response = await this.send({
        ...first.options,
        request: { query: mergedQuery(fetches), variables: mergedVariables(fetches) },
      });
      const answers = splitAnswer(batch.length, response);
      if (answers) merged = { response, answers };
    } catch {
      // Sent alone below, each fails (or not) as it would have without batching.
    }
    if (!merged) {
      await Promise.all(batch.map(alone));
      return;
    }
    const { response, answers } = merged;
    batch.forEach(({ resolve }, index) =>
      resolve({ ...answers[index]!, extensions: response.extensions, http: response.http }),
    );
  }

  /**
   * One subgraph request as Apollo's `process` sends it — the same headers, body, error handling,
   * parsing and cache policy — without the node-fetch `Headers` and `Request` it builds for every
   * fetch only to hand to hooks this class does not use (0030: 7 % of the gateway's CPU when
   * requests differ). What carries its own HTTP headers (Apollo's ftv1 tracing) or is no
   * operation's (health checks, schema loading) goes through Apollo's own.
   */
  private async send(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    if (!('incomingRequestContext' in options) || options.request.http !== undefined) {
      return super.process(options);
    }
    const { request, context } = options;
    if (!request.query) throw new Error('Missing query');
    const { query, ...rest } = request;
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await this.headersFor(context)) },
      body: JSON.stringify({ query, ...rest }),
    };
    let response: FetcherResponse | undefined;
    let answer: GatewayGraphQLResponse;
    try {
      response = await this.fetcher(this.url, init);
      if (!response.ok) throw await this.errorFromResponse(response);
      const body = await this.parseBody(response);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new Error(`Expected JSON response body, but received: ${String(body)}`);
      }
      answer = { ...body, http: response };
    } catch (error) {
      this.didEncounterError(error as Error);
      throw error;
    }
    const policy = options.incomingRequestContext.overallCachePolicy as unknown;
    if (this.honorSubgraphCacheControlHeader && isCachePolicy(policy)) {
      policy.restrict(cacheHintOf(response.headers.get('cache-control')));
    }
    return answer;
  }

  /** A failed request (unreachable, non-2xx) names its subgraph, as its errors do, for the log. */
  override didEncounterError(error: Error): void {
    throw new GraphQLError(error.message, {
      originalError: error,
      extensions: {
        ...(error instanceof GraphQLError ? error.extensions : {}),
        serviceName: this.subgraph,
      },
    });
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    for (const [name, value] of Object.entries(await this.headersFor(context))) {
      request.http?.headers.set(name, value);
    }
  }

  /** The gateway's credential, the caller's token, the correlation id and the trace context. */
  private async headersFor(context: Partial<GatewayContext>): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      [SERVICE_TOKEN_HEADER]: await this.serviceTokens.tokenFor(this.subgraph),
    };
    if (context.accessToken) headers.authorization = `Bearer ${context.accessToken}`;
    if (context.correlationId) headers[CORRELATION_HEADER] = context.correlationId;
    // The subgraph's work is a child of this fetch's span (Apollo's `gateway.fetch`).
    return Object.assign(headers, traceHeaders());
  }

  /**
   * A subgraph refusing the gateway itself is our misconfiguration (SERVICE_TOKEN_SECRET differs),
   * not the client's: Apollo would answer it UNAUTHENTICATED, which a client reads as "sign in
   * again". It becomes an internal error, logged with the reason. Any other 4xx answer is the
   * client's problem (a DateTime the subgraph could not read, a limit): its first GraphQL error
   * reaches the client with its own code, where Apollo's default ("400: Bad Request", no code)
   * would become an INTERNAL_SERVER_ERROR. Anything else (5xx, a body that is not a GraphQL
   * response) keeps the default.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const fallback = await super.errorFromResponse(response);
    const body = (fallback.extensions.response as { body?: unknown } | undefined)?.body;
    const first =
      response.status >= 400 && response.status < 500 && isGraphQLErrorBody(body)
        ? body.errors[0]
        : undefined;
    if (!first) return fallback;
    const { code, problems } = first.extensions;
    if (code === ErrorCode.SERVICE_UNAUTHENTICATED) {
      return new GraphQLError(
        `${this.subgraph} refused the gateway's service credential (is SERVICE_TOKEN_SECRET the same everywhere?): ${first.message}`,
        { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } },
      );
    }
    return new GraphQLError(first.message, {
      extensions: { code, ...(problems === undefined ? {} : { problems }) },
    });
  }
}

function isGraphQLErrorBody(
  body: unknown,
): body is { errors: [{ message: string; extensions: { code: string; problems?: unknown } }] } {
  if (typeof body !== 'object' || body === null || !('errors' in body)) return false;
  const [first] = Array.isArray(body.errors) ? (body.errors as unknown[]) : [];
  return (
    typeof first === 'object' &&
    first !== null &&
    typeof (first as { message?: unknown }).message === 'string' &&
    typeof (first as { extensions?: { code?: unknown } }).extensions?.code === 'string'
  );
}

/**
 * One data source per subgraph, shared by queries and by subscriptions' entity fetches: each sends
 * over the keep-alive fetcher, timed, to the subgraph's URL (from the supergraph, or overridden).
 */
export function forwardingDataSources({
  subgraphs,
  fetcher,
  metrics,
  serviceTokens,
  entityBatching = true,
}: {
  subgraphs: SubgraphEndpoint[];
  fetcher: ReturnType<typeof keepAliveFetcher>['fetcher'];
  metrics: ReturnType<typeof createGatewayMetrics>;
  serviceTokens: ServiceTokenIssuer;
  /** See ForwardingDataSource.process. */
  entityBatching?: boolean;
}) {
  const routing = new Map(subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  const dataSources: Record<string, ForwardingDataSource> = Object.create(null);
  const dataSourceOf = (name: string, url: string) =>
    (dataSources[name] ??= new ForwardingDataSource(
      {
        url: routing.get(name) ?? url,
        // The default make-fetch-happen adds an HTTP cache layer that subgraph POSTs never use.
        fetcher: metrics.timedFetch(name, fetcher),
      },
      name,
      serviceTokens,
      entityBatching,
    ));
  for (const subgraph of subgraphs) dataSourceOf(subgraph.name, subgraph.url);
  return { dataSources, dataSourceOf };
}

function isCachePolicy(policy: unknown): policy is CachePolicy {
  return typeof policy === 'object' && policy !== null && 'restrict' in policy;
}

/** A subgraph's `Cache-Control` as Apollo's data source reads it: no max-age is not cacheable. */
function cacheHintOf(header: string | null): CacheHint {
  const directives = new Map<string, string | true>();
  for (const directive of header?.trim().split(/\s*,\s*/) ?? []) {
    const [name = '', value] = directive.split(/\s*=\s*/, 2);
    directives.set(name, value === undefined ? true : value.replace(/^"|"$/g, ''));
  }
  const maxAge = directives.get('max-age');
  const hint: CacheHint = {
    maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
  };
  if (directives.get('private') === true) hint.scope = 'PRIVATE';
  if (directives.get('public') === true) hint.scope = 'PUBLIC';
  return hint;
}
