import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import {
  BusUnavailableError,
  createAmqpBus,
  createMemoryBus,
  type DeliveredMessage,
  type MessageBus,
} from '../src/bus';
import { createLogger, createLogsTransport, LOGS_EXCHANGE, type Logger } from '../src/logger/node';
import { createMetrics, metricsRoute } from '../src/middleware';
import { runWithCorrelationId } from '../src/middleware/correlation';
import { freePort, quietLogger, untilPasses } from '../src/testing';
import { startTestBus } from '../src/testing/bus';

type Entry = Record<string, unknown>;

function loggerWith(transport: ReturnType<typeof createLogsTransport>, service = 'gym'): Logger {
  return createLogger({ service, level: 'info', silent: true, transports: [transport] });
}

/** An in-process bus that can be taken down and brought back. */
function flakyBus() {
  const inner = createMemoryBus();
  const state = { down: false };
  const bus: MessageBus = {
    ...inner,
    async publish(exchange, routingKey, body, options) {
      if (state.down) throw new BusUnavailableError('not connected');
      return inner.publish(exchange, routingKey, body, options);
    },
  };
  return { bus, state };
}

async function collect(bus: MessageBus, queue: string) {
  const received: DeliveredMessage<Entry>[] = [];
  await bus.consume<Entry>(
    { queue, exchange: LOGS_EXCHANGE, routingKeys: ['#'], deadLetterQueue: `${queue}.dead` },
    async (message) => {
      received.push(message);
    },
  );
  return received;
}

describe('the logs transport', () => {
  it('when a service logs on the real broker, then each entry reaches the logs exchange keyed <service>.<level>, with the service and the correlation id', async () => {
    const test = startTestBus();
    const transport = createLogsTransport({ bus: test.bus, service: 'gym', level: 'http' });
    try {
      await untilPasses(() => test.bus.ping());
      const received = await collect(test.bus, 'logs-test');
      const logger = loggerWith(transport);

      runWithCorrelationId('checkout-42', () => {
        logger.info('class booked', { classId: 'c1' });
        logger.http('request', { status: 200 });
        logger.warn('waitlist full');
      });
      logger.debug('below every level: not published');

      await untilPasses(() => expect(received).toHaveLength(3));
      const byKey = Object.fromEntries(received.map((message) => [message.routingKey, message]));
      expect(Object.keys(byKey).sort()).toEqual(['gym.http', 'gym.info', 'gym.warn']);
      expect(byKey['gym.info']?.body).toMatchObject({
        level: 'info',
        message: 'class booked',
        service: 'gym',
        correlationId: 'checkout-42',
        classId: 'c1',
        timestamp: expect.any(String),
      });
      expect(byKey['gym.http']?.body).toMatchObject({
        service: 'gym',
        correlationId: 'checkout-42',
      });
    } finally {
      transport.close();
      await test.dispose();
    }
  });

  it('when the broker is unreachable, then logging neither throws nor waits, the buffer stays bounded, drops are counted and warned about once', async () => {
    const bus = createAmqpBus({
      url: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      name: 'logs-outage',
      logger: quietLogger(),
    });
    const warnings: string[] = [];
    const registry = new Registry();
    const transport = createLogsTransport({
      bus,
      service: 'workout',
      maxBuffered: 10,
      retryMs: 10,
      registry,
      warn: (message) => warnings.push(message),
    });
    try {
      const logger = loggerWith(transport, 'workout');
      const started = performance.now();
      for (let i = 0; i < 50; i += 1) logger.info(`entry ${i}`);
      expect(performance.now() - started).toBeLessThan(200);

      await untilPasses(() => {
        expect(transport.buffered).toBe(10);
        expect(transport.dropped).toBe(40);
      });
      logger.error('still nothing thrown');
      await untilPasses(() => expect(transport.dropped).toBe(41));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', service: 'workout' });
      const counter = await registry.getSingleMetricAsString('log_entries_dropped_total');
      expect(counter).toContain('log_entries_dropped_total{service="workout"} 41');
    } finally {
      transport.close();
      await bus.close();
    }
  });

  it("when a transport drops entries, then every server's /metrics shows them by service", async () => {
    const app = express();
    metricsRoute(app, createMetrics('squad'));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const transport = createLogsTransport({
      bus: { publish: () => Promise.reject(new BusUnavailableError('down')) },
      service: 'squad-metrics-test',
      maxBuffered: 1,
      retryMs: 10_000,
      warn: () => undefined,
    });
    try {
      const logger = loggerWith(transport, 'squad-metrics-test');
      for (let i = 0; i < 4; i += 1) logger.info(`entry ${i}`);
      await untilPasses(() => expect(transport.dropped).toBe(3));
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('log_entries_dropped_total{service="squad-metrics-test"} 3');
      expect(text).toContain('http_request_duration_seconds');
    } finally {
      transport.close();
      server.close();
    }
  });

  it('when the broker never confirms, then at most maxInFlight publishes wait and the rest is buffered or dropped', async () => {
    const hanging: MessageBus = {
      ...createMemoryBus(),
      publish: () => new Promise<void>(() => undefined),
    };
    const transport = createLogsTransport({
      bus: hanging,
      service: 'squad',
      maxBuffered: 10,
      maxInFlight: 4,
      warn: () => undefined,
    });
    const logger = loggerWith(transport, 'squad');
    for (let i = 0; i < 30; i += 1) logger.info(`entry ${i}`);
    expect(transport.buffered).toBe(10);
    expect(transport.dropped).toBe(16);
    transport.close();
  });

  it('when the bus comes back after an outage, then the entries buffered meanwhile are delivered in order', async () => {
    const { bus, state } = flakyBus();
    const received = await collect(bus, 'observer');
    const transport = createLogsTransport({ bus, service: 'identity', retryMs: 10 });
    const logger = loggerWith(transport, 'identity');
    try {
      state.down = true;
      for (let i = 0; i < 5; i += 1) logger.info(`during outage ${i}`);
      await untilPasses(() => expect(transport.buffered).toBe(5));
      expect(received).toHaveLength(0);

      state.down = false;
      logger.info('after outage');
      await untilPasses(() => expect(received).toHaveLength(6));
      expect(received.map((message) => message.body.message)).toEqual([
        'during outage 0',
        'during outage 1',
        'during outage 2',
        'during outage 3',
        'during outage 4',
        'after outage',
      ]);
      expect(transport.dropped).toBe(0);
      await transport.flush();
      expect(transport.buffered).toBe(0);
    } finally {
      transport.close();
      await bus.close();
    }
  });
});
