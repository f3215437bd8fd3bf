import { createAmqpBus, type MessageBus } from '@fitnexa/shared/bus';
import {
  dropServiceSchema,
  freePort,
  gatewayCredentialHeaders,
  graphqlClient,
  quietLogger,
  sqlInSchema,
  testDatabaseUrl,
  uniqueName,
  untilPasses,
} from '@fitnexa/shared/testing';
import { recordEvents, startTestBus, type TestBus } from '@fitnexa/shared/testing/bus';
import { startIdentity } from '../src';
import { identitySettings } from './harness';

const register = `mutation R($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`;
const deleteAccount = `mutation D($password: String!) { deleteAccount(password: $password) }`;
const password = 'correct horse battery 9';

/** identity on the real PostgreSQL, verifying its own tokens, with the given bus. */
async function startIdentityOn(bus: MessageBus) {
  const schema = uniqueName('fitnexa_identity');
  const server = await startIdentity(identitySettings(schema, { bus }));
  return {
    server,
    graphql: graphqlClient(server.url, { service: 'identity' }),
    sql: sqlInSchema(schema),
    async stop() {
      await server.stop();
      await dropServiceSchema(testDatabaseUrl(), schema);
    },
  };
}

describe('identity events on RabbitMQ', () => {
  let testBus: TestBus;
  let identity: Awaited<ReturnType<typeof startIdentityOn>>;
  beforeAll(async () => {
    testBus = startTestBus();
    identity = await startIdentityOn(testBus.bus);
  });
  afterAll(async () => {
    await identity.stop();
    await testBus.dispose();
  });

  it("when someone registers and then deletes their account, then both events are published once, the deletion with the request's correlation id", async () => {
    const events = await recordEvents(testBus.bus, ['identity.#']);
    const email = `${uniqueName('ada')}@example.com`;
    const registered = await identity.graphql(register, {
      input: { email, password, displayName: 'Ada' },
    });
    const { accessToken, user } = registered.data!.register;
    const deleted = await fetch(identity.server.url, {
      method: 'POST',
      headers: {
        ...(await gatewayCredentialHeaders('identity')),
        'content-type': 'application/json',
        authorization: `Bearer ${accessToken}`,
        'x-correlation-id': 'delete-ada-1',
      },
      body: JSON.stringify({ query: deleteAccount, variables: { password } }),
    });
    expect((await deleted.json()).data).toEqual({ deleteAccount: true });

    await untilPasses(() => expect(events).toHaveLength(2));
    expect(events[0]).toMatchObject({
      type: 'identity.user.registered',
      source: 'identity',
      data: { userId: user.id, email, displayName: 'Ada', role: 'MEMBER' },
    });
    expect(events[1]).toMatchObject({
      type: 'identity.user.deleted',
      source: 'identity',
      correlationId: 'delete-ada-1',
      data: { userId: user.id },
    });
    const outbox = await identity.sql(
      `SELECT "publishedAt" FROM "OutboxEvent" WHERE "data"->>'userId' = $1`,
      [user.id],
    );
    expect(outbox).toHaveLength(2);
    expect(outbox.every((row) => row.publishedAt !== null)).toBe(true);
  });
});

describe('identity without RabbitMQ', () => {
  it('when the broker is unreachable, then registering still works, the event waits in the outbox and readiness reports events degraded', async () => {
    const bus = createAmqpBus({
      url: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      name: 'test',
      logger: quietLogger(),
    });
    const identity = await startIdentityOn(bus);
    try {
      const registered = await identity.graphql(register, {
        input: { email: 'offline@example.com', password, displayName: 'Off' },
      });
      expect(registered.errors).toBeUndefined();
      expect(await identity.server.outbox.drain()).toBe(0);
      expect(
        await identity.sql(`SELECT "type" FROM "OutboxEvent" WHERE "publishedAt" IS NULL`),
      ).toEqual([{ type: 'identity.user.registered' }]);
      const ready = await fetch(new URL('/health/ready', identity.server.url));
      expect(ready.status).toBe(200);
      expect((await ready.json()).degraded).toContain('events');
    } finally {
      await identity.stop();
      await bus.close();
    }
  });
});
