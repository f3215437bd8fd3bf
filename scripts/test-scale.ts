// `npm run test:scale`: two gateways and two instances of every subgraph, each its own process,
// behind HAProxy on loopback, against this machine's PostgreSQL, Redis and RabbitMQ (a fresh
// database, Redis database and RabbitMQ vhost of its own). For 60 s clients query, send messages,
// subscribe over graphql-ws and chat over socket.io while one instance of each service in turn is
// killed (SIGKILL) and restarted, then once each stopped (SIGTERM) and restarted; then 20 s more
// during which a supergraph with a new field reaches both gateways. Checked: every acknowledged
// message is stored; no event arrives twice; none is missed by a subscriber that stayed connected,
// whatever died on its path meanwhile (the gateway resumes its upstream subscription after the
// last event, docs/realtime.md); every subscriber is connected again at the end; failed requests
// are only those in flight at a SIGKILL; none fails in the supergraph change. Events missed while
// a subscriber was disconnected are reported, not failed (graphql-ws subscribers resume with
// `after`, socket.io ones re-join with `afterMessageId`). docs/operations.md.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { Client } from 'pg';
import YAML from 'yaml';
import { freePort } from '@fitnexa/shared/testing';
import {
  Instance,
  LoadBalancer,
  ROOT,
  SERVICES,
  SHUTDOWN_DELAY_MS,
  untilReady,
  type ServiceName,
} from './lib/fleet';
import {
  graphqlClient,
  graphqlWsSubscriber,
  socketIoSubscriber,
  steadyRate,
  type Account,
  type RequestRecord,
  type SentMessage,
  type Subscriber,
} from './lib/scale-load';

const FAULT_PHASE_MS = 60_000;
const RELOAD_PHASE_MS = 20_000;
const CONVERSATIONS = 6;
const QUERIES_PER_SECOND = 30;
const MESSAGES_PER_SECOND = 10;
/** An event is judged once this long has passed since its acknowledgement. */
const SETTLE_MS = 3_000;

interface Fault {
  service: ServiceName;
  instance: string;
  signal: 'SIGKILL' | 'SIGTERM';
  at: number;
  /** When the process had exited: after a SIGTERM, its drain delay and shutdown later. */
  exitedAt?: number;
  /** From the signal to the new process's readiness. */
  restartMs?: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const sh = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
};

/** The project's supergraph, composed with `extraGymTypeDefs` added to gym's schema. */
function supergraphWith(extraGymTypeDefs = ''): string {
  const rover = join(ROOT, 'rover.yaml');
  const config = YAML.parse(readFileSync(rover, 'utf8')) as {
    subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
  };
  const { supergraphSdl, errors } = composeServices(
    Object.entries(config.subgraphs).map(([name, subgraph]) => ({
      name,
      url: subgraph.routing_url,
      typeDefs: parse(
        readFileSync(resolve(dirname(rover), subgraph.schema.file), 'utf8') +
          (name === 'gym' ? extraGymTypeDefs : ''),
      ),
    })),
  );
  if (!supergraphSdl) throw new Error(`composition failed: ${errors?.map((e) => e.message)}`);
  return supergraphSdl;
}

async function main() {
  if (!LoadBalancer.available()) {
    throw new Error('haproxy is missing: apt-get install -y haproxy');
  }
  // Every instance runs as production does: compiled, `node dist/main.js`.
  console.log('test:scale: npm run build');
  sh('npm', ['run', 'build']);
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisBase = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const rabbitBase = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const runId = `scale_${Date.now()}`;
  const work = mkdtempSync(join(tmpdir(), 'fitnexa-scale-'));
  console.log(`test:scale ${runId}: logs in ${work}`);

  // A database, a Redis database and a vhost of the run's own: nothing it writes meets the tests'.
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${runId}`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${runId}` }).toString();
  sh('rabbitmqctl', ['add_vhost', runId]);
  sh('rabbitmqctl', ['set_permissions', '-p', runId, 'guest', '.*', '.*', '.*']);

  const supergraphPath = join(work, 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraphWith());
  const frontends = Object.fromEntries(
    await Promise.all(Object.keys(SERVICES).map(async (name) => [name, await freePort()])),
  ) as Record<ServiceName, number>;
  const frontendUrl = (name: ServiceName) => `http://127.0.0.1:${frontends[name]}/graphql`;
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: `${redisBase.replace(/\/\d*$/, '')}/11`,
    RABBITMQ_URL: `${rabbitBase.replace(/\/$/, '')}/${runId}`,
    SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex'),
    JWKS_URL: `http://127.0.0.1:${frontends.identity}/.well-known/jwks.json`,
    SQUAD_URL: frontendUrl('squad'),
    SUPERGRAPH_PATH: supergraphPath,
    SUPERGRAPH_POLL_SECONDS: '1',
    RATE_LIMIT_PER_IP_PER_MINUTE: '0',
    RATE_LIMIT_PER_USER_PER_MINUTE: '0',
    WS_CONNECTIONS_PER_IP: '10000',
    SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
    ...Object.fromEntries(
      (Object.keys(SERVICES) as ServiceName[])
        .filter((name) => name !== 'gateway')
        .map((name) => [`SUBGRAPH_URL_${name.toUpperCase()}`, frontendUrl(name)]),
    ),
  };
  const instances = {} as Record<ServiceName, [Instance, Instance]>;
  for (const service of Object.keys(SERVICES) as ServiceName[]) {
    const made = await Promise.all(
      [0, 1].map(
        async (index) =>
          new Instance(
            service,
            index,
            await freePort(),
            await freePort(),
            env,
            join(work, `${service}-${index}.log`),
          ),
      ),
    );
    instances[service] = made as [Instance, Instance];
  }
  const balancer = new LoadBalancer(join(work, 'haproxy.cfg'), join(work, 'haproxy.log'));
  const everything = Object.values(instances).flat();
  const cleanup = async () => {
    await Promise.all(everything.map((instance) => instance.signal('SIGTERM')));
    balancer.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${runId} WITH (FORCE)`).catch(() => {});
    await admin.end();
    spawnSync('rabbitmqctl', ['delete_vhost', runId]);
  };

  try {
    const startedAt = performance.now();
    await balancer.start(
      (Object.keys(SERVICES) as ServiceName[]).map((name) => ({
        name,
        port: frontends[name],
        servers: instances[name],
      })),
    );
    // Identity first, one at a time (the first creates the signing key); then the rest.
    const startMs: Record<string, number> = {};
    for (const instance of instances.identity) startMs[instance.name] = await instance.start();
    const subgraphs = (Object.keys(SERVICES) as ServiceName[]).filter(
      (name) => name !== 'identity' && name !== 'gateway',
    );
    // A wave per instance index: on two cores ten processes compiling at once starve each other.
    for (const index of [0, 1]) {
      await Promise.all(
        subgraphs.map(async (name) => {
          const instance = instances[name][index]!;
          startMs[instance.name] = await instance.start();
        }),
      );
    }
    await Promise.all(
      instances.gateway.map(async (instance) => (startMs[instance.name] = await instance.start())),
    );
    await untilReady(`http://127.0.0.1:${frontends.gateway}/health/ready`);
    console.log(
      `fleet up in ${Math.round(performance.now() - startedAt)} ms; start-to-ready per instance (ms): ${JSON.stringify(startMs)}`,
    );

    const gatewayUrl = frontendUrl('gateway');
    const setupRecords: RequestRecord[] = [];
    const setup = graphqlClient(gatewayUrl, setupRecords);
    const signUp = async (n: number): Promise<Account> => {
      const input = {
        email: `${runId}.${n}@example.test`,
        password: 'correct horse 42',
        displayName: `Scale ${n}`,
      };
      const data = await setup<{ register: { accessToken: string; user: { id: string } } }>(
        'mutation',
        undefined,
        'mutation R($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
        { input },
      );
      if (!data)
        throw new Error(`sign-up failed: ${JSON.stringify(setupRecords.filter((r) => r.cause))}`);
      return { id: data.register.user.id, token: data.register.accessToken };
    };
    const pairs = await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, i) => {
        const [alice, bob] = await Promise.all([signUp(2 * i), signUp(2 * i + 1)]);
        const started = await setup<{ startDirectConversation: { id: string } }>(
          'mutation',
          alice.token,
          'mutation C($id: ID!) { startDirectConversation(userId: $id) { id } }',
          { id: bob.id },
        );
        if (!started)
          throw new Error(
            `conversation failed: ${JSON.stringify(setupRecords.filter((r) => r.cause))}`,
          );
        return { alice, bob, conversationId: started.startDirectConversation.id };
      }),
    );

    // Phase 1: load under faults.
    const phase1 = await runPhase({
      gatewayUrl,
      pairs,
      durationMs: FAULT_PHASE_MS,
      during: async (phaseStart, faults) => {
        const order = Object.keys(SERVICES) as ServiceName[];
        const plan = [
          ...order.map((service) => ({ service, index: 0, signal: 'SIGKILL' as const })),
          ...order.map((service) => ({ service, index: 1, signal: 'SIGTERM' as const })),
        ];
        const interval = (FAULT_PHASE_MS - 6_000) / plan.length;
        const restarts: Promise<void>[] = [];
        for (const [i, step] of plan.entries()) {
          await sleep(Math.max(0, phaseStart + 4_000 + i * interval - performance.now()));
          const [target, other] =
            step.index === 0
              ? instances[step.service]
              : [instances[step.service][1], instances[step.service][0]];
          // Never both instances of a service down at once.
          await untilReady(`${other.origin}/health/ready`);
          const fault: Fault = {
            service: step.service,
            instance: target.name,
            signal: step.signal,
            at: performance.now(),
          };
          faults.push(fault);
          const restart = (async () => {
            await target.signal(step.signal);
            fault.exitedAt = performance.now();
            await target.start();
            fault.restartMs = Math.round(performance.now() - fault.at);
          })();
          // Failed (an instance not ready in time): Promise.all below throws it, and the fleet
          // is cleaned up; unhandled until then, it would end the process with the fleet running.
          restart.catch(() => {});
          restarts.push(restart);
        }
        await Promise.all(restarts);
      },
    });

    // Phase 2: a supergraph with a new field, applied to both gateways under load.
    const phase2 = await runPhase({
      gatewayUrl,
      pairs,
      durationMs: RELOAD_PHASE_MS,
      during: async (phaseStart) => {
        await sleep(5_000);
        // Replaced atomically, as the kubelet swaps a ConfigMap: a reader never sees half a file.
        writeFileSync(
          `${supergraphPath}.next`,
          supergraphWith('\nextend type Query { scaleProbe: String }\n'),
        );
        renameSync(`${supergraphPath}.next`, supergraphPath);
        const applied = await Promise.all(
          instances.gateway.map(async (gateway) => {
            for (;;) {
              // A gateway still restarting from the faults answers nothing yet: asked again.
              const body = (await fetch(`${gateway.origin}/graphql`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ query: '{ __type(name: "Query") { fields { name } } }' }),
              })
                .then((response) => response.json())
                .catch(() => undefined)) as
                { data?: { __type: { fields: { name: string }[] } } } | undefined;
              if (body?.data?.__type.fields.some((field) => field.name === 'scaleProbe')) {
                return Math.round(performance.now() - phaseStart - 5_000);
              }
              await sleep(100);
            }
          }),
        );
        console.log(`supergraph change applied on both gateways after ${applied.join(' / ')} ms`);
      },
    });

    // Every acknowledged message is stored.
    const stored = new Client({ connectionString: databaseUrl });
    await stored.connect();
    const { rows } = await stored.query<{ id: string }>(
      'SELECT id::text FROM fitnexa_messaging."Message"',
    );
    await stored.end();
    const storedIds = new Set(rows.map((row) => row.id));
    const acknowledged = [...phase1.sent, ...phase2.sent];
    const missingWrites = acknowledged.filter((message) => !storedIds.has(message.id));

    const report1 = judge('faults', phase1, FAULT_PHASE_MS);
    const report2 = judge('supergraph change', phase2, RELOAD_PHASE_MS);
    console.log(
      JSON.stringify(
        {
          faults: phase1.faults.map(({ service, instance, signal, at, exitedAt, restartMs }) => ({
            instance,
            service,
            signal,
            atS: +((at - phase1.start) / 1000).toFixed(2),
            exitedAfterMs: exitedAt && Math.round(exitedAt - at),
            restartMs,
          })),
          phases: [report1.figures, report2.figures],
          writes: { acknowledged: acknowledged.length, missing: missingWrites.length },
        },
        null,
        2,
      ),
    );
    const problems = [
      ...report1.problems,
      ...report2.problems,
      ...(report2.figures.requests.failed ? ['a request failed during the supergraph change'] : []),
      ...(missingWrites.length ? [`${missingWrites.length} acknowledged messages missing`] : []),
    ];
    if (problems.length) {
      console.error(`test:scale FAILED:\n  - ${problems.join('\n  - ')}\n(logs in ${work})`);
      process.exitCode = 1;
    } else {
      console.log('test:scale passed');
      rmSync(work, { recursive: true, force: true });
    }
  } finally {
    await cleanup();
  }
}

interface Phase {
  start: number;
  end: number;
  records: RequestRecord[];
  sent: SentMessage[];
  subscribers: Subscriber[];
  /** Subscribers connected when the phase ended (before they were closed). */
  connectedAtEnd: number;
  faults: Fault[];
}

/** Load for `durationMs` while `during` runs; then the subscribers are given SETTLE_MS to catch up. */
async function runPhase(options: {
  gatewayUrl: string;
  pairs: { alice: Account; bob: Account; conversationId: string }[];
  durationMs: number;
  during(phaseStart: number, faults: Fault[]): Promise<void>;
}): Promise<Phase> {
  const { gatewayUrl, pairs } = options;
  const records: RequestRecord[] = [];
  const sent: SentMessage[] = [];
  const faults: Fault[] = [];
  const request = graphqlClient(gatewayUrl, records);
  // graphql-ws never acknowledges a subscription: a subscriber starts after the newest message,
  // as an app that read the history does, so what is sent while its subscription is still being
  // set up (seconds on a starved machine) is not lost. Without one (none yet, or the query
  // failed), from whenever messaging takes it.
  const newest = graphqlClient(gatewayUrl, []);
  const subscribers = (
    await Promise.all(
      pairs.map(async ({ bob, conversationId }) => {
        const page = await newest<{ messages: { edges: { node: { id: string } }[] } }>(
          'query',
          bob.token,
          'query N($id: ID!) { messages(conversationId: $id, last: 1) { edges { node { id } } } }',
          { id: conversationId },
        );
        return [
          graphqlWsSubscriber(
            gatewayUrl,
            bob,
            conversationId,
            page?.messages.edges[0]?.node.id ?? null,
          ),
          socketIoSubscriber(gatewayUrl, bob, conversationId),
        ];
      }),
    )
  ).flat();
  await sleep(2_000);
  const start = performance.now();
  let sequence = 0;
  const stopQueries = steadyRate(QUERIES_PER_SECOND, async () => {
    const { bob, conversationId } = pairs[sequence++ % pairs.length]!;
    await request(
      'query',
      bob.token,
      'query Q($id: ID!) { me { id displayName } conversation(id: $id) { id } }',
      { id: conversationId },
    );
  });
  const stopMutations = steadyRate(MESSAGES_PER_SECOND, async () => {
    const { alice, conversationId } = pairs[sequence++ % pairs.length]!;
    const sentAt = performance.now();
    const data = await request<{ sendMessage: { id: string } }>(
      'mutation',
      alice.token,
      'mutation S($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }',
      { id: conversationId, body: `scale ${sequence}` },
    );
    if (data) {
      sent.push({ id: data.sendMessage.id, conversationId, sentAt, ackedAt: performance.now() });
    }
  });
  const during = options.during(start, faults);
  // Thrown before it is awaited below, it would end the process with the fleet running.
  during.catch(() => {});
  await sleep(options.durationMs);
  stopQueries();
  stopMutations();
  const end = performance.now();
  await during;
  await sleep(SETTLE_MS);
  const connectedAtEnd = subscribers.filter(
    (subscriber) => subscriber.intervals.at(-1)?.down === undefined && subscriber.intervals.length,
  ).length;
  for (const subscriber of subscribers) subscriber.close();
  return { start, end, records, sent, subscribers, connectedAtEnd, faults };
}

/** A subscriber was connected (and subscribed) over the whole of [from, to]. */
const upThroughout = (subscriber: Subscriber, from: number, to: number) =>
  subscriber.intervals.some(
    (interval) => interval.up <= from && (interval.down === undefined || interval.down >= to),
  );

function nearestFault(faults: Fault[], at: number) {
  const nearest = faults.reduce<Fault | undefined>(
    (best, fault) => (!best || Math.abs(fault.at - at) < Math.abs(best.at - at) ? fault : best),
    undefined,
  );
  return nearest
    ? {
        nearestFault: `${nearest.signal} ${nearest.instance}`,
        afterMs: Math.round(at - nearest.at),
      }
    : {};
}

function judge(name: string, phase: Phase, durationMs: number) {
  const problems: string[] = [];
  const kills = phase.faults.filter((fault) => fault.signal === 'SIGKILL');
  const failed = phase.records.filter((record) => record.cause);
  // A kill lasts from the signal until the process is gone: until then the kernel still accepts
  // connections on its listening socket, and a request it took dies with it.
  const inFlightAtKill = (record: RequestRecord) =>
    kills.some((kill) => record.start <= (kill.exitedAt ?? kill.at) && kill.at <= record.end);
  const unexplained = failed.filter((record) => !inFlightAtKill(record));
  const byCause = (records: RequestRecord[]) =>
    records.reduce<Record<string, number>>((counts, record) => {
      counts[record.cause!] = (counts[record.cause!] ?? 0) + 1;
      return counts;
    }, {});
  // Faults on the path of an event: the messaging instances and the gateways, from the signal
  // until the process has exited (a SIGTERMed one serves on through its drain delay).
  const pathFaults = phase.faults.filter(
    (fault) => fault.service === 'messaging' || fault.service === 'gateway',
  );
  let delivered = 0;
  let duplicates = 0;
  let missedWhileUp = 0;
  let missedInFault = 0;
  /** Each event missed while its subscriber was up: which kind, when, and the nearest fault. */
  const missedWhileUpAt: Record<string, unknown>[] = [];
  const missedWhileDown = { 'graphql-ws': 0, 'socket.io': 0 };
  for (const subscriber of phase.subscribers) {
    for (const message of phase.sent.filter(
      (m) => m.conversationId === subscriber.conversationId,
    )) {
      const count = subscriber.received.get(message.id) ?? 0;
      if (count > 1) duplicates += count - 1;
      if (count >= 1) {
        delivered += 1;
        continue;
      }
      const from = message.sentAt - 1_000;
      const to = message.ackedAt + 1_000;
      if (!upThroughout(subscriber, from, to)) {
        missedWhileDown[subscriber.kind] += 1;
        continue;
      }
      if (
        pathFaults.some(
          (fault) => fault.at <= to + 2_000 && (fault.exitedAt ?? fault.at) >= from - 2_000,
        )
      )
        missedInFault += 1;
      else missedWhileUp += 1;
      missedWhileUpAt.push({
        subscriber: subscriber.kind,
        message: message.id,
        sentS: +((message.sentAt - phase.start) / 1000).toFixed(2),
        ackedS: +((message.ackedAt - phase.start) / 1000).toFixed(2),
        ...nearestFault(phase.faults, message.sentAt),
      });
    }
  }
  const reconnects = phase.subscribers.flatMap((subscriber) => subscriber.reconnects);
  const notReconnected = phase.subscribers.length - phase.connectedAtEnd;
  const sigtermFailures = failed.filter((record) =>
    phase.faults.some(
      (fault) =>
        fault.signal === 'SIGTERM' && record.start <= fault.at + 2_000 && record.end >= fault.at,
    ),
  ).length;
  if (unexplained.length) {
    problems.push(`${name}: ${unexplained.length} failed requests not in flight at a SIGKILL`);
  }
  if (duplicates) problems.push(`${name}: ${duplicates} events arrived more than once`);
  if (missedWhileUp + missedInFault)
    problems.push(
      `${name}: ${missedWhileUp + missedInFault} events missed by a subscriber whose connection stayed up (${missedInFault} with a fault on its path, ${missedWhileUp} without)`,
    );
  if (notReconnected)
    problems.push(`${name}: ${notReconnected} subscribers not connected at the end`);
  const sorted = [...reconnects].sort((a, b) => a - b);
  return {
    problems,
    figures: {
      phase: name,
      durationS: Math.round((phase.end - phase.start) / 1000),
      plannedS: durationMs / 1000,
      requests: {
        total: phase.records.length,
        queries: phase.records.filter((record) => record.kind === 'query').length,
        mutations: phase.records.filter((record) => record.kind === 'mutation').length,
        failed: failed.length,
        failureRate: +(failed.length / Math.max(1, phase.records.length)).toFixed(4),
        failedByCause: byCause(failed),
        inFlightAtSigkill: failed.length - unexplained.length,
        unexplained: byCause(unexplained),
        unexplainedAtS: unexplained.map((record) => ({
          cause: record.cause,
          kind: record.kind,
          startS: +((record.start - phase.start) / 1000).toFixed(2),
          endS: +((record.end - phase.start) / 1000).toFixed(2),
          // The fault closest in time: how long after (or before, negative) it the request ended.
          ...nearestFault(phase.faults, record.end),
        })),
        nearSigterm: sigtermFailures,
      },
      events: {
        subscribers: phase.subscribers.length,
        delivered,
        duplicates,
        // Information: a subscriber away does not hear what is sent meanwhile, unless it resumes.
        missedWhileDisconnected: missedWhileDown,
        missedInFaultOnPath: missedInFault,
        missedWhileUpNoFault: missedWhileUp,
        missedWhileUpAt,
      },
      reconnects: {
        count: reconnects.length,
        medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
        maxMs: sorted.at(-1) ?? 0,
      },
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
