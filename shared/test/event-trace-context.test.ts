import { trace } from '@opentelemetry/api';
import { createEventOutbox, type SqlTransaction } from '../src/events';
import { recordSpans, type RecordedSpans } from '../src/testing/tracing';

// What the outbox stores of the request's trace, seen in the values of its INSERT (the relay's and
// the consumers' side run on the real RabbitMQ in test/e2e/event-tracing.e2e.test.ts).

let recorded: RecordedSpans;
beforeAll(() => {
  recorded = recordSpans();
});
afterAll(() => recorded.stop());

/** A transaction that keeps the values of each statement instead of running it. */
function capturingTransaction() {
  const statements: unknown[][] = [];
  const tx: SqlTransaction = {
    $executeRaw: async (_query, ...values) => {
      statements.push(values);
      return 1;
    },
    $queryRaw: async () => {
      throw new Error('not expected');
    },
  };
  return { tx, statements };
}

describe('the outbox and the trace context', () => {
  it('when an event is recorded inside a traced request, then its row carries that span as traceparent', async () => {
    const { tx, statements } = capturingTransaction();
    const outbox = createEventOutbox('identity');

    const spanContext = await trace
      .getTracer('test')
      .startActiveSpan('deleteAccount', async (span) => {
        await outbox.record(tx, 'identity.user.deleted', { userId: 'u1' });
        span.end();
        return span.spanContext();
      });

    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain(`00-${spanContext.traceId}-${spanContext.spanId}-01`);
  });

  it('when an event is recorded outside any trace, then its row has no trace context', async () => {
    const { tx, statements } = capturingTransaction();

    await createEventOutbox('identity').record(tx, 'identity.user.deleted', { userId: 'u2' });

    expect(statements[0]!.filter((value) => String(value).startsWith('00-'))).toEqual([]);
  });
});
