import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { connect } from 'amqplib';
import {
  BusUnavailableError,
  createAmqpBus,
  createMemoryBus,
  matchesRoutingKey,
  type DeliveredMessage,
  type MessageBus,
} from '../src/bus';
import { capturingLogger, freePort, quietLogger, uniqueName, untilPasses } from '../src/testing';
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

  it("when a message keeps failing, then it is dead-lettered after its retries, counts in the dead-letter queue's depth, and the others keep flowing", async () => {
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
    // What the dead-letter depth metric reads; the queues that drained hold nothing.
    await untilPasses(async () => expect(await underTest.bus.queueDepth('dlq')).toBe(1));
    expect(await underTest.bus.queueDepth('gym.events')).toBe(0);
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
  it('when RabbitMQ is unreachable, then publishing and queue depths fail at once and readiness says so', async () => {
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
      await expect(bus.queueDepth('fitnexa.events.dlq')).rejects.toBeInstanceOf(
        BusUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      await bus.close();
    }
  });
});

/**
 * A TCP proxy to the real RabbitMQ that, once armed, cuts the connection at the client's next
 * write: the broker hiccups exactly when the bus answers a delivery.
 */
async function cuttableProxy(): Promise<{ url: string; cutAtNextWrite(): void; close(): void }> {
  const broker = new URL(testRabbitUrl());
  const sockets = new Set<Socket>();
  let armed = false;
  const server: Server = createServer((client) => {
    const upstream = connectTcp(Number(broker.port || 5672), broker.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (armed) {
        armed = false;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `amqp://${broker.username}:${broker.password}@127.0.0.1:${port}`,
    cutAtNextWrite: () => {
      armed = true;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('the RabbitMQ bus when the broker hiccups', () => {
  // A rejection nobody handles fails the running test in jest (the listener a test adds to
  // `process` never hears it): before the fix, this one failed with "channel closed".
  it('when a malformed message arrives and the connection drops as the bus dead-letters it, then no promise is left unhandled, and the message is dead-lettered once the bus is back', async () => {
    const proxy = await cuttableProxy();
    const namespace = uniqueName('fitnexa');
    const captured = capturingLogger('bus');
    const bus = createAmqpBus({
      url: proxy.url,
      name: namespace,
      namespace,
      logger: captured.logger,
    });
    const direct = await connect(testRabbitUrl());
    try {
      await bus.consume(
        {
          queue: 'gym.events',
          exchange: 'fitnexa.events',
          routingKeys: ['identity.#'],
          deadLetterQueue: 'dlq',
        },
        async () => undefined,
      );
      await untilPasses(() => bus.ping());
      const channel = await direct.createChannel();

      proxy.cutAtNextWrite();
      channel.publish(
        `${namespace}.fitnexa.events`,
        'identity.user.deleted',
        Buffer.from('{not json'),
      );

      // Redelivered on the new connection, then dead-lettered.
      const deadLetter = await untilPasses(async () => {
        const found = await channel.get(`${namespace}.dlq`, { noAck: true });
        expect(found).not.toBe(false);
        return found;
      });
      expect(deadLetter && deadLetter.content.toString()).toBe('{not json');
      await untilPasses(() =>
        expect(captured.entries).toContainEqual(
          expect.objectContaining({
            message: 'could not settle a message; it will be redelivered',
          }),
        ),
      );
    } finally {
      await bus.close();
      proxy.close();
      const cleanup = await direct.createChannel();
      const { exchanges, queues } = bus.declared();
      for (const queue of queues) await cleanup.deleteQueue(queue);
      for (const exchange of exchanges) await cleanup.deleteExchange(exchange);
      await direct.close();
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
