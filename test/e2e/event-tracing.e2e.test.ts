// identity.user.deleted as one trace: the publish continues the context stored with the event in
// identity's outbox, and every consumer's handling is a child of the publish, on the real RabbitMQ,
// also when the event waited in the outbox through a broker outage.
import { startOwnRabbit, untilPasses, type OwnRabbit } from '@fitnexa/shared/testing';
import {
  isChildOf,
  isDescendantOf,
  recordSpans,
  SpanStatusCode,
  type ReadableSpan,
  type RecordedSpans,
} from '@fitnexa/shared/testing/tracing';
import { aSquad, joinSquad } from './factories';
import { newMember, startGraph, type Graph, type SignedIn } from './support';

const CONSUMERS = ['gym', 'workout', 'squad', 'messaging'] as const;
const PASSWORD = newMember().password;

// Every service of the graph runs in this process: they trace into this recorder.
let recorded: RecordedSpans;
beforeAll(() => {
  recorded = recordSpans();
});
afterAll(() => recorded.stop());

const deleteAccount = (graph: Graph, user: SignedIn) =>
  graph.as(user.token, 'mutation D($p: String!) { deleteAccount(password: $p) }', {
    p: PASSWORD,
  });

/** The user's deletion event as identity's outbox holds it, with the trace context stored. */
async function deletionOf(graph: Graph, userId: string) {
  const [row] = await graph.sql(
    'identity',
    `SELECT "id", "traceparent", "publishedAt" FROM "OutboxEvent"
     WHERE "type" = 'identity.user.deleted' AND "data"->>'userId' = $1`,
    [userId],
  );
  return row as { id: string; traceparent: string | null; publishedAt: Date | null };
}

const ofMessage = (eventId: string, name: string) =>
  recorded
    .spans()
    .filter((span) => span.name === name && span.attributes['messaging.message.id'] === eventId);

/**
 * The event's publish span and each consumer's first handling, once every consumer handled it; the
 * trace they share is asserted by the caller.
 */
async function traceOf(eventId: string) {
  return untilPasses(async () => {
    const publish = ofMessage(eventId, 'publish identity.user.deleted').find(
      (span) => span.status.code !== SpanStatusCode.ERROR,
    );
    expect(publish).toBeDefined();
    const handled = ofMessage(eventId, 'process identity.user.deleted');
    const byConsumer = Object.fromEntries(
      CONSUMERS.map((service) => [
        service,
        handled.find(
          (span) => span.attributes['messaging.consumer.group.name'] === `${service}.events`,
        ),
      ]),
    ) as Record<(typeof CONSUMERS)[number], ReadableSpan | undefined>;
    for (const service of CONSUMERS) expect(byConsumer[service]).toBeDefined();
    return { publish: publish!, byConsumer: byConsumer as Record<string, ReadableSpan> };
  }, 30_000);
}

/** The context a stored `traceparent` names (version-traceid-spanid-flags). */
const storedParent = (traceparent: string | null) =>
  traceparent ? { traceId: traceparent.split('-')[1], spanId: traceparent.split('-')[2] } : null;

function expectOneTrace(
  stored: string | null,
  { publish, byConsumer }: Awaited<ReturnType<typeof traceOf>>,
) {
  // The publish continues what the outbox row stored: the request's trace when it was traced.
  const parent = storedParent(stored);
  expect(
    publish.parentSpanContext
      ? { traceId: publish.spanContext().traceId, spanId: publish.parentSpanContext.spanId }
      : null,
  ).toEqual(parent);
  for (const service of CONSUMERS) {
    const handled = byConsumer[service]!;
    expect({ service, child: isChildOf(handled, publish.spanContext()) }).toEqual({
      service,
      child: true,
    });
    expect(handled.attributes['fitnexa.delivery.attempt']).toBe(1);
  }
}

describe('the trace of a deleted account', () => {
  let graph: Graph;
  beforeAll(async () => {
    graph = await startGraph();
  });
  afterAll(() => graph.stop());

  it('when a squad member deletes their account, then the publish, every consumer of identity.user.deleted and the cascade it sets off are one trace on RabbitMQ', async () => {
    const founder = await graph.signUp();
    const member = await graph.signUp();
    await joinSquad(graph, member, await aSquad(graph, founder));
    await deleteAccount(graph, member);

    const event = await deletionOf(graph, member.id);
    const trace = await traceOf(event.id);
    expectOneTrace(event.traceparent, trace);
    // squad records squad.member.left while handling the deletion: its publish (under squad's
    // handling, below the spans of the work in between) and messaging's handling of it continue
    // the same trace.
    const [left] = await graph.sql(
      'squad',
      `SELECT "id" FROM "OutboxEvent" WHERE "type" = 'squad.member.left' AND "data"->>'userId' = $1`,
      [member.id],
    );
    const cascade = await untilPasses(() => {
      const publish = ofMessage(left.id, 'publish squad.member.left')[0];
      const handled = ofMessage(left.id, 'process squad.member.left')[0];
      expect(publish).toBeDefined();
      expect(handled).toBeDefined();
      return { publish: publish!, handled: handled! };
    });
    expect(
      isDescendantOf(cascade.publish, trace.byConsumer.squad!.spanContext(), recorded.spans()),
    ).toBe(true);
    expect(isChildOf(cascade.handled, cascade.publish.spanContext())).toBe(true);
  }, 60_000);
});

describe('the trace of an account deleted while RabbitMQ is down', () => {
  let rabbit: OwnRabbit;
  let graph: Graph;
  beforeAll(async () => {
    rabbit = await startOwnRabbit();
    graph = await startGraph({ rabbitmqUrl: rabbit.url });
  }, 60_000);
  afterAll(async () => {
    await graph?.stop();
    await rabbit?.stop();
  });

  it('when the event waited in the outbox until the broker came back, then its publish and every consumer still form one trace, published by a later relay batch', async () => {
    const member = await graph.signUp();
    await rabbit.stopApp();
    await deleteAccount(graph, member);
    const waiting = await deletionOf(graph, member.id);
    expect(waiting.publishedAt).toBeNull();
    // The relay kept trying: batches that failed while the broker was away.
    await untilPasses(() =>
      expect(
        recorded
          .spans()
          .some(
            (span) =>
              span.name === 'outbox relay batch' &&
              span.attributes['fitnexa.outbox.source'] === 'identity' &&
              span.status.code === SpanStatusCode.ERROR,
          ),
      ).toBe(true),
    );

    await rabbit.startApp();
    const trace = await traceOf(waiting.id);
    expectOneTrace(waiting.traceparent, trace);
    // The publish links the relay batch that finally sent it (its own trace: a poll started it).
    const [link] = trace.publish.links;
    const batch = recorded
      .spans()
      .find((span) => span.spanContext().spanId === link?.context.spanId);
    expect(batch).toMatchObject({
      name: 'outbox relay batch',
      attributes: { 'fitnexa.outbox.source': 'identity' },
      status: { code: SpanStatusCode.UNSET },
    });
  }, 120_000);
});
