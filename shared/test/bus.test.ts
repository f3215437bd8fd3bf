import { connect } from 'amqplib';
import {
  BusUnavailableError,
  createAmqpBus,
  createMemoryBus,
  matchesRoutingKey,
  type DeliveredMessage,
  type MessageBus,
} from '../src/bus';
import { freePort, quietLogger, untilPasses } from '../src/testing';
import { startTestBus, testRabbitUrl } from '../src/testing/bus';

interface BusUnderTest {
  bus: MessageBus;
  deadLetters(queue: string): Promise<{ body: unknown; headers: Record<string, unknown> }[]>;
  dispose(): Promise<void>;
}

const kinds: Record<string, () => BusUnderTest> = {
  RabbitMQ: () => {
    const test = startTestBus();
    return {
      bus: test.bus,
      async deadLetters(queue) {
        const connection = await connect(testRabbitUrl());
        try {
          const channel = await connection.createChannel();
          const found = [];
          for (;;) {
            const message = await channel.get(`${test.namespace}.${queue}`, { noAck: false });
            if (!message) break;
            found.push({
              body: JSON.parse(message.content.toString()) as unknown,
              headers: message.properties.headers ?? {},
            });
          }
          // Unacked: they stay in the queue when this channel closes.
          return found;
        } finally {
          await connection.close();
        }
      },
      dispose: test.dispose,
    };
  },
  'the in-process bus': () => {
    const bus = createMemoryBus();
    return {
      bus,
      deadLetters: async (queue) => bus.deadLetters(queue),
      dispose: () => bus.close(),
    };
  },
};

describe.each(Object.entries(kinds))('the message bus on %s', (_kind, make) => {
  let underTest: BusUnderTest;
  beforeEach(() => {
    underTest = make();
  });
  afterEach(() => underTest.dispose());

  const consumeInto = async (
    received: DeliveredMessage[],
    handler: (message: DeliveredMessage) => Promise<void> = async () => undefined,
  ) => {
    await underTest.bus.consume(
      {
        queue: 'gym.events',
        exchange: 'fitnexa.events',
        routingKeys: ['identity.user.*', 'workout.#'],
        retryDelaysMs: [50, 100],
        deadLetterQueue: 'dlq',
      },
      async (message) => {
        received.push(message);
        await handler(message);
      },
    );
  };

  it('when a message is published with a key the queue is bound to, then the consumer gets it with its id and headers', async () => {
    const received: DeliveredMessage[] = [];
    await consumeInto(received);
    await untilPasses(() => underTest.bus.ping());
    await underTest.bus.publish(
      'fitnexa.events',
      'identity.user.deleted',
      { userId: 'u1' },
      { messageId: 'm1', headers: { 'x-correlation-id': 'c1' } },
    );
    await underTest.bus.publish('fitnexa.events', 'squad.member.joined', { ignored: true });
    await underTest.bus.publish('fitnexa.events', 'workout.session.completed', { n: 2 });
    await untilPasses(() => expect(received).toHaveLength(2));
    expect(received[0]).toMatchObject({
      body: { userId: 'u1' },
      routingKey: 'identity.user.deleted',
      messageId: 'm1',
      headers: { 'x-correlation-id': 'c1' },
      attempt: 1,
    });
    expect(received[1]).toMatchObject({ body: { n: 2 }, routingKey: 'workout.session.completed' });
  });

  it('when a handler fails, then the message comes back with the next attempt number and its routing key', async () => {
    const received: DeliveredMessage[] = [];
    await consumeInto(received, async (message) => {
      if (message.attempt < 3) throw new Error('not yet');
    });
    await untilPasses(() => underTest.bus.ping());
    await underTest.bus.publish('fitnexa.events', 'identity.user.deleted', { userId: 'u2' });
    await untilPasses(() => expect(received.map((message) => message.attempt)).toEqual([1, 2, 3]));
    expect(received.every((message) => message.routingKey === 'identity.user.deleted')).toBe(true);
    expect(await underTest.deadLetters('dlq')).toEqual([]);
  });

  it('when a message keeps failing, then it is dead-lettered after its retries and the others keep flowing', async () => {
    const handled: unknown[] = [];
    await consumeInto([], async (message) => {
      if ((message.body as { poison?: boolean }).poison) throw new Error('cannot handle this');
      handled.push(message.body);
    });
    await untilPasses(() => underTest.bus.ping());
    await underTest.bus.publish('fitnexa.events', 'identity.user.deleted', { poison: true });
    for (let index = 0; index < 5; index += 1) {
      await underTest.bus.publish('fitnexa.events', 'identity.user.deleted', { index });
    }
    await untilPasses(() => expect(handled).toHaveLength(5));
    await untilPasses(async () => {
      const dead = await underTest.deadLetters('dlq');
      expect(dead).toHaveLength(1);
      expect(dead[0]!.body).toEqual({ poison: true });
      expect(dead[0]!.headers).toMatchObject({
        'x-error': expect.stringContaining('cannot handle'),
      });
    });
  });
});

describe.each(Object.entries(kinds))('exclusive queues on %s', (_kind, make) => {
  let underTest: BusUnderTest;
  beforeEach(() => {
    underTest = make();
  });
  afterEach(() => underTest.dispose());

  it('when two instances consume with queues of their own, then each hears every message, and a failure is dead-lettered at once', async () => {
    const heard: Record<string, unknown[]> = { a: [], b: [] };
    for (const instance of ['a', 'b']) {
      await underTest.bus.consume(
        {
          queue: `gateway.${instance}.deleted-users`,
          exchange: 'fitnexa.events',
          routingKeys: ['identity.user.deleted'],
          deadLetterQueue: 'dlq',
          exclusive: true,
        },
        async (message) => {
          heard[instance]!.push(message.body);
          if (instance === 'b') throw new Error('b cannot');
        },
      );
    }
    await untilPasses(() => underTest.bus.ping());
    await underTest.bus.publish('fitnexa.events', 'identity.user.deleted', { userId: 'u1' });
    await untilPasses(() =>
      expect(heard).toEqual({ a: [{ userId: 'u1' }], b: [{ userId: 'u1' }] }),
    );
    await untilPasses(async () => expect(await underTest.deadLetters('dlq')).toHaveLength(1));
  });
});

describe('the RabbitMQ bus without a broker', () => {
  it('when RabbitMQ is unreachable, then publishing fails at once and readiness says so', async () => {
    const bus = createAmqpBus({
      url: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      name: 'test',
      logger: quietLogger(),
    });
    try {
      const started = Date.now();
      await expect(bus.publish('fitnexa.events', 'x', {})).rejects.toBeInstanceOf(
        BusUnavailableError,
      );
      await expect(bus.ping()).rejects.toBeInstanceOf(BusUnavailableError);
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      await bus.close();
    }
  });
});

describe('topic routing keys', () => {
  it.each([
    ['identity.user.*', 'identity.user.deleted', true],
    ['identity.user.*', 'identity.user.deleted.now', false],
    ['workout.#', 'workout', true],
    ['workout.#', 'workout.session.completed', true],
    ['#.completed', 'workout.session.completed', true],
    ['*.checkin.recorded', 'gym.checkin.recorded', true],
    ['gym.#', 'workout.session.completed', false],
  ])('%s against %s: %s', (pattern, key, expected) => {
    expect(matchesRoutingKey(pattern, key)).toBe(expected);
  });
});
