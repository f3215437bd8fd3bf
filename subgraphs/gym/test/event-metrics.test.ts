// The event metrics on gym's /metrics, with a RabbitMQ of the test's own that it can stop: the
// outbox backlog while the broker is away, then a poison message's retries and dead letter.
import { EVENTS_EXCHANGE } from '@fitnexa/shared/events';
import { startOwnRabbit, untilPasses, type OwnRabbit } from '@fitnexa/shared/testing';
import { startTestBus, type TestBus } from '@fitnexa/shared/testing/bus';
import { aGymWithPlan, aMember, checkIn, dataOf } from './factories';
import { startTestGym, type TestGym } from './harness';

let rabbit: OwnRabbit;
let testBus: TestBus;
let gym: TestGym;

beforeAll(async () => {
  rabbit = await startOwnRabbit();
  testBus = startTestBus({ url: rabbit.url });
  gym = await startTestGym({ bus: testBus.bus });
  // Consuming: its queue and the dead-letter queue exist before anything is published.
  await untilPasses(() => testBus.bus.ping());
}, 60_000);
afterAll(async () => {
  await gym?.stop();
  await testBus?.dispose();
  await rabbit?.stop();
});

/** A sample of gym's /metrics: the value of `name` with exactly these labels (besides `service`). */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(gym.server.url.replace('/graphql', '/metrics'))).text();
  const wanted = Object.entries({ service: 'gym', ...labels })
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    if (match[2]!.split(',').sort().join(',') === wanted) return Number(match[3]);
  }
  throw new Error(`no ${name}{${wanted}} on /metrics`);
}

it('when RabbitMQ is away, then the events waiting in the outbox show as pending with their age, and both return to 0 once it is back', async () => {
  expect(await metric('outbox_pending_events')).toBe(0);
  expect(await metric('outbox_lag_seconds')).toBe(0);
  const { gymId, planId } = await aGymWithPlan(gym);
  const member = await aMember(gym, planId);

  await rabbit.stopApp();
  dataOf(await checkIn(gym, member, gymId));
  dataOf(await checkIn(gym, member, gymId));
  await untilPasses(async () => {
    expect(await metric('outbox_pending_events')).toBe(2);
    expect(await metric('outbox_lag_seconds')).toBeGreaterThan(0.5);
  });
  // The dead-letter queue cannot be read meanwhile: no value rather than a stale one.
  expect(await metric('events_dead_letter_messages', { queue: 'fitnexa.events.dlq' })).toBeNaN();

  await rabbit.startApp();
  await untilPasses(async () => {
    expect(await metric('outbox_pending_events')).toBe(0);
    expect(await metric('outbox_lag_seconds')).toBe(0);
  }, 20_000);
}, 60_000);

it('when a message keeps failing, then its retries are counted, every attempt is timed as failed, and it shows in the dead-letter depth', async () => {
  await untilPasses(async () =>
    expect(await metric('events_dead_letter_messages', { queue: 'fitnexa.events.dlq' })).toBe(0),
  );
  // Not an event: each attempt fails, and after the default three retries it is dead-lettered.
  await testBus.bus.publish(EVENTS_EXCHANGE, 'identity.user.deleted', { not: 'an event' });

  await untilPasses(
    async () =>
      expect(await metric('events_dead_letter_messages', { queue: 'fitnexa.events.dlq' })).toBe(1),
    20_000,
  );
  expect(await metric('event_retries_total', { type: 'identity.user.deleted' })).toBe(3);
  expect(
    await metric('event_processing_duration_seconds_count', {
      type: 'identity.user.deleted',
      outcome: 'failed',
    }),
  ).toBe(4);
}, 60_000);
