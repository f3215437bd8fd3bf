import { randomBytes } from 'node:crypto';
import { untilPasses } from '@fitnexa/shared/testing';
import { recordSpans, serviceOf, type ReadableSpan } from '@fitnexa/shared/testing/tracing';
import { closeRealtimeClients, subscribeOverWs } from '@fitnexa/shared/testing/realtime';
import { aSquadOfTwo, send } from './factories';
import { startGraph, type Graph, type SignedIn } from './support';

// One request, one trace: the gateway continues (or starts) the W3C trace context, passes it on
// to every subgraph fetch, and each subgraph's work is a child of the gateway's fetch span.

let tracing: ReturnType<typeof recordSpans>;
let graph: Graph;
let member: SignedIn;
let admin: SignedIn;
beforeAll(async () => {
  tracing = recordSpans();
  graph = await startGraph({ publishLogs: true });
  member = await graph.signUp();
  admin = await graph.signUp('ADMIN');
});
afterEach(closeRealtimeClients);
afterAll(async () => {
  await graph?.stop();
  await tracing?.stop();
});

const DASHBOARD = `query Dashboard {
  me {
    displayName
    memberships(status: ACTIVE) { gym { name } }
    workoutSessions(first: 3) { edges { node { startedAt } } }
  }
}`;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

/** The spans of the trace whose gateway request span answered `operation` (in `traceId`). */
function traceOfOperation(operation: string, traceId?: string) {
  const root = tracing
    .spans()
    .find(
      (span) =>
        serviceOf(span) === 'gateway' &&
        span.name === `query ${operation}` &&
        (!traceId || traceOf(span) === traceId),
    );
  expect(root).toBeDefined();
  return { root: root!, spans: tracing.spans().filter((span) => traceOf(span) === traceOf(root!)) };
}

describe('one trace per request across the gateway and the subgraphs', () => {
  it('when a member opens the dashboard, then one trace holds spans of the gateway, identity, gym and workout, each subgraph request a child of the gateway fetch to it', async () => {
    const response = await graph.post(
      { query: DASHBOARD, operationName: 'Dashboard' },
      { authorization: `Bearer ${member.token}` },
    );
    expect(response.body.errors).toBeUndefined();

    const { root, spans } = await untilPasses(() => {
      const found = traceOfOperation('Dashboard');
      const services = new Set(found.spans.map(serviceOf));
      expect([...services].sort()).toEqual(['gateway', 'gym', 'identity', 'workout']);
      return found;
    });
    // The gateway started the trace: its request span is the root.
    expect(root.parentSpanContext).toBeUndefined();
    const byId = new Map(spans.map((span) => [spanId(span), span]));
    const parentOf = (span: ReadableSpan) =>
      span.parentSpanContext && byId.get(span.parentSpanContext.spanId);
    // Every span but the root has its parent in the same trace.
    for (const span of spans) if (span !== root) expect(parentOf(span)).toBeDefined();
    // Apollo's planning and execution under the request.
    const gatewayNames = spans.filter((s) => serviceOf(s) === 'gateway').map((s) => s.name);
    expect(gatewayNames).toEqual(
      expect.arrayContaining([
        'gateway.request',
        'gateway.plan',
        'gateway.execute',
        'gateway.fetch',
      ]),
    );
    // Each subgraph's server span is the child of a gateway.fetch naming that subgraph.
    for (const service of ['identity', 'gym', 'workout']) {
      const served = spans.filter(
        (span) => serviceOf(span) === service && span.kind === 1 /* SERVER */,
      );
      expect(served.length).toBeGreaterThan(0);
      for (const span of served) {
        const fetch = parentOf(span)!;
        expect(fetch.name).toBe('gateway.fetch');
        expect(fetch.attributes.service).toBe(service);
        expect(serviceOf(fetch)).toBe('gateway');
      }
    }
    // The subgraphs' own work is under their request: resolvers, and the database calls in them.
    const resolverNames = spans.map((span) => span.name).filter((n) => n.startsWith('resolve '));
    expect(resolverNames).toEqual(
      expect.arrayContaining(['resolve Query.me', 'resolve User.__resolveReference']),
    );
    const prisma = spans.filter((span) => span.name.startsWith('prisma:'));
    expect(prisma.length).toBeGreaterThan(0);
    for (const span of prisma) expect(serviceOf(span)).not.toBe('gateway');
  });

  it('when the client sends a W3C traceparent, then the gateway continues that trace and the subgraphs join it', async () => {
    const traceId = hex(16);
    const clientSpan = hex(8);
    const response = await graph.post(
      { query: DASHBOARD, operationName: 'Dashboard' },
      { authorization: `Bearer ${member.token}`, traceparent: `00-${traceId}-${clientSpan}-01` },
    );
    expect(response.body.errors).toBeUndefined();

    const { root, spans } = await untilPasses(() => {
      const found = traceOfOperation('Dashboard', traceId);
      expect(new Set(found.spans.map(serviceOf)).size).toBe(4);
      return found;
    });
    expect(root.parentSpanContext?.spanId).toBe(clientSpan);
    expect(spans.every((span) => traceOf(span) === traceId)).toBe(true);
  });

  it('when a traced request is logged by several services, then logs(filter: { traceId }) returns their entries, each carrying the trace id', async () => {
    const traceId = hex(16);
    const response = await graph.post(
      { query: DASHBOARD, operationName: 'Dashboard' },
      { authorization: `Bearer ${member.token}`, traceparent: `00-${traceId}-${hex(8)}-01` },
    );
    expect(response.body.errors).toBeUndefined();

    const LOGS = `query Logs($filter: LogFilter) { logs(filter: $filter, first: 100) { service traceId details } }`;
    const entries = await untilPasses(async () => {
      const data = await graph.as(admin.token, LOGS, { filter: { traceId } });
      const services = new Set(data.logs.map((entry: { service: string }) => entry.service));
      expect([...services]).toEqual(
        expect.arrayContaining(['gateway', 'identity', 'gym', 'workout']),
      );
      return data.logs as { service: string; traceId: string; details: string }[];
    });
    for (const entry of entries) {
      expect(entry.traceId).toBe(traceId);
      expect(JSON.parse(entry.details).span_id).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('when the filter names something that is not a trace id, then logs answers BAD_USER_INPUT', async () => {
    const response = await graph.post(
      { query: 'query { logs(filter: { traceId: "not-a-trace" }) { service } }' },
      { authorization: `Bearer ${admin.token}` },
    );
    expect(response.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('when a client subscribes with a traceparent and an event arrives, then the subscription starts in its trace at the gateway and in messaging, and the event is a trace of its own linked to that start, fetching the sender from identity', async () => {
    const { alice, bob, conversationId } = await aSquadOfTwo(graph);
    const traceId = hex(16);
    const clientSpan = hex(8);
    const subscription = await subscribeOverWs(
      {
        url: graph.gateway.url,
        hub: graph.subgraphs.messaging.hub,
        connectionParams: { traceparent: `00-${traceId}-${clientSpan}-01` },
      },
      'subscription Chat($id: ID!) { messageAdded(conversationId: $id) { body sender { displayName } } }',
      { id: conversationId },
      bob.token,
    );
    await send(graph, alice, conversationId, 'Traced hello');
    expect(await subscription.received(1)).toHaveLength(1);

    const started = tracing
      .spans()
      .find((span) => traceOf(span) === traceId && span.name === 'subscription Chat');
    expect(started && serviceOf(started)).toBe('gateway');
    expect(started?.parentSpanContext?.spanId).toBe(clientSpan);
    const upstream = tracing
      .spans()
      .find((span) => traceOf(span) === traceId && serviceOf(span) === 'messaging');
    expect(upstream?.name).toMatch(/^subscription /);
    expect(upstream?.parentSpanContext?.spanId).toBe(spanId(started!));

    const event = await untilPasses(() => {
      const found = tracing
        .spans()
        .find(
          (span) =>
            span.name === 'subscription event Chat' &&
            span.links.some((link) => link.context.spanId === spanId(started!)),
        );
      expect(found).toBeDefined();
      return found!;
    });
    expect(traceOf(event)).not.toBe(traceId);
    expect(event.parentSpanContext).toBeUndefined();
    const eventTrace = tracing.spans().filter((span) => traceOf(span) === traceOf(event));
    expect(eventTrace.map(serviceOf)).toContain('identity');
  });
});
