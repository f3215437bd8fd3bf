// npm run bench:subscriptions: federated subscriptions through the gateway against the same
// subscription directly on the subgraph.
//
// How: the five subgraphs with the demo data run in one child process and our gateway in another
// (the same children as bench:gateway; on DATABASE_URL and REDIS_URL in schemas of their own,
// dropped afterwards, when set; embedded otherwise). The demo member creates a squad that
// BENCH_USERS new members (default 20) join; its group chat is the stream. For each N in
// BENCH_SUBSCRIBERS (default "100,1000"), N graphql-ws clients (one connection each, the members
// taken in turn) subscribe to `messageAdded` of the squad chat, first through the gateway with the
// sender's displayName (resolved from identity for every event), then directly on messaging
// (which can only give the sender's id). Once every subscriber has received a warm-up message,
// the demo member sends BENCH_EVENTS messages (default 20) straight to messaging, one after the
// other, each once the previous one reached all N subscribers.
//
// Reported per run: the delivery latency (from just before the send to each subscriber's receipt,
// on this process's clock, so it includes the send itself) at p50 and p99 over all N × events
// deliveries, events/s (messages fully fanned out to all N per second) and deliveries/s; lost
// deliveries when a message did not reach everyone within 30 s. A measurement, not a test: it
// exits 0 whatever the numbers, non-zero only when setup fails.
import { randomUUID } from 'node:crypto';
import {
  gatewayCredentialHeaders,
  graphqlClient,
  TEST_SERVICE_TOKEN_SECRET,
} from '@fitnexa/shared/testing';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { startBenchRun } from './bench/processes';
import type { GatewayConfig, GatewayReady, SubgraphsReady } from './bench/protocol';
import type { SubgraphsConfig } from './bench/subgraphs';

const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '100,1000').split(',').map(Number);
const EVENTS = positive('BENCH_EVENTS', 20);
const USERS = positive('BENCH_USERS', 20);
const DELIVERY_TIMEOUT_MS = 30_000;
const DATABASE_URL = process.env.DATABASE_URL;
// BENCH_PROFILE=1 runs the gateway with --cpu-prof (written when it stops, into PROFILE_DIR).
const PROFILE = ['1', 'true', 'ours', 'gateway'].includes(process.env.BENCH_PROFILE ?? '');
const PROFILE_DIR = '/tmp/fitnexa-bench-profiles';

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * The operation's data, or a thrown error: the benchmark's setup must not go on half done. With
 * `service`, straight to that subgraph, with the gateway's credential.
 */
async function graphql<T>(
  url: string,
  query: string,
  variables: object,
  token?: string,
  service?: string,
) {
  const { data, errors } = await graphqlClient(url, { service })(query, { ...variables }, token);
  if (!data || errors) throw new Error(`${url}: ${JSON.stringify(errors)}`);
  return data as T;
}

const AUTH = 'accessToken user { id }';

/** The demo member's squad of USERS fresh members, and its chat. */
async function squadChat(gatewayUrl: string) {
  const { login } = await graphql<{ login: { accessToken: string } }>(
    gatewayUrl,
    `mutation L($input: LoginInput!) { login(input: $input) { ${AUTH} } }`,
    { input: { email: DEMO_USERS.member.email, password: DEMO_PASSWORD } },
  );
  const owner = login.accessToken;
  const { createSquad } = await graphql<{ createSquad: { id: string } }>(
    gatewayUrl,
    'mutation C($input: CreateSquadInput!) { createSquad(input: $input) { id } }',
    { input: { name: `Bench ${randomUUID().slice(0, 8)}`, visibility: 'PUBLIC' } },
    owner,
  );
  const members: string[] = [];
  for (let index = 0; index < USERS; index += 1) {
    const { register } = await graphql<{ register: { accessToken: string } }>(
      gatewayUrl,
      `mutation R($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`,
      {
        input: {
          email: `bench.${randomUUID()}@example.test`,
          password: 'bench password 42',
          displayName: `Bench member ${index + 1}`,
        },
      },
    );
    await graphql(
      gatewayUrl,
      'mutation J($id: ID!) { joinSquad(squadId: $id) { role } }',
      { id: createSquad.id },
      register.accessToken,
    );
    members.push(register.accessToken);
  }
  const { squad } = await graphql<{ squad: { conversation: { id: string } } }>(
    gatewayUrl,
    'query Q($id: ID!) { squad(id: $id) { conversation { id } } }',
    { id: createSquad.id },
    owner,
  );
  return { owner, members, conversationId: squad.conversation.id };
}

interface RunResult {
  target: string;
  subscribers: number;
  p50: number;
  p99: number;
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  lost: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** N subscribers on `url`, warmed up, then EVENTS messages sent to messaging one by one. */
async function run(options: {
  target: string;
  url: string;
  query: string;
  subscribers: number;
  members: string[];
  conversationId: string;
  send(body: string): Promise<unknown>;
  /** Straight to this subgraph: with the gateway's service credential. */
  service?: string;
}): Promise<RunResult> {
  const { subscribers } = options;
  const runId = randomUUID().slice(0, 8);
  const warmed = new Set<number>();
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const received = new Map<number, number>();
  let onDelivery: (() => void) | undefined;
  let failures = 0;
  const clients: Client[] = [];
  const credential = options.service ? await gatewayCredentialHeaders(options.service) : {};
  for (let index = 0; index < subscribers; index += 1) {
    const client = createClient({
      url: options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: {
        authorization: `Bearer ${options.members[index % options.members.length]}`,
        ...credential,
      },
      retryAttempts: 0,
    });
    clients.push(client);
    client.subscribe<{ messageAdded: { body: string } }>(
      { query: options.query, variables: { id: options.conversationId } },
      {
        next: ({ data, errors }) => {
          const at = now();
          if (errors || !data) {
            failures += 1;
            return;
          }
          const [kind, id, seq] = data.messageAdded.body.split(' ');
          if (id !== runId) return;
          if (kind === 'warm') {
            warmed.add(index);
            return;
          }
          const sequence = Number(seq);
          latencies.push(at - sentAt.get(sequence)!);
          received.set(sequence, (received.get(sequence) ?? 0) + 1);
          onDelivery?.();
        },
        error: () => (failures += 1),
        complete: () => {},
      },
    );
  }
  try {
    // graphql-ws never acknowledges a subscription: poke until every subscriber hears one.
    const warmUntil = Date.now() + 60_000;
    while (warmed.size < subscribers) {
      if (Date.now() > warmUntil || failures) {
        throw new Error(
          `${options.target}: ${warmed.size}/${subscribers} subscribers live, ${failures} failed`,
        );
      }
      // A poke may fail while N subscriptions are being authorised at once (messaging's pool
      // busy): the next one goes 250 ms later.
      await options.send(`warm ${runId}`).catch((error: unknown) => {
        console.warn(`warm-up message failed (retrying): ${(error as Error).message}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, 250));

    let lost = 0;
    const started = now();
    for (let sequence = 1; sequence <= EVENTS; sequence += 1) {
      const all = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), DELIVERY_TIMEOUT_MS);
        onDelivery = () => {
          if ((received.get(sequence) ?? 0) < subscribers) return;
          clearTimeout(timer);
          resolve(true);
        };
      });
      sentAt.set(sequence, now());
      await options.send(`event ${runId} ${sequence}`);
      if (!(await all)) lost += subscribers - (received.get(sequence) ?? 0);
    }
    const seconds = (now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      target: options.target,
      subscribers,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      eventsPerSecond: EVENTS / seconds,
      deliveriesPerSecond: latencies.length / seconds,
      lost,
    };
  } finally {
    onDelivery = undefined;
    await Promise.all(clients.map((client) => client.dispose()));
  }
}

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';

async function main() {
  const { children, schemas, cleanUp } = startBenchRun(DATABASE_URL);

  try {
    const dbKind = DATABASE_URL
      ? `PostgreSQL${process.env.REDIS_URL ? ' + Redis' : ' + in-process cache'}`
      : `embedded (PGlite${process.env.REDIS_URL ? ' + Redis' : ', in-process hub'})`;
    console.log(`Starting the subgraphs (${dbKind}) and the gateway…`);
    const subgraphs = await children.start<SubgraphsReady>('subgraphs', 'subgraphs.ts', {
      // The test kit's secret: its gateway credentials reach messaging directly (gatewayCredentialHeaders).
      config: { schemas, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET } satisfies SubgraphsConfig,
    });
    const config: GatewayConfig = {
      subgraphUrls: subgraphs.ready.subgraphs,
      jwksUrl: subgraphs.ready.jwksUrl,
      serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET,
      redisUrl: process.env.REDIS_URL,
      deduplication: true,
    };
    const gateway = await children.start<GatewayReady>('ours', 'gateway.ts', {
      config,
      args: ['ours'],
      nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : undefined,
    });
    const gatewayUrl = gateway.ready.url;
    const messagingUrl = subgraphs.ready.subgraphs.messaging!;
    console.log(`Setting up a squad chat of ${USERS} members and the demo member…`);
    const { owner, members, conversationId } = await squadChat(gatewayUrl);
    const send = (body: string) =>
      graphql(
        messagingUrl,
        'mutation S($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }',
        { id: conversationId, body },
        owner,
        'messaging',
      );

    const results: RunResult[] = [];
    for (const subscribers of SUBSCRIBERS) {
      for (const [target, url, sender, service] of [
        ['gateway', gatewayUrl, 'sender { displayName }', undefined],
        ['direct (messaging)', messagingUrl, 'sender { id }', 'messaging'],
      ] as const) {
        const result = await run({
          target,
          url,
          service,
          query: `subscription M($id: ID!) { messageAdded(conversationId: $id) { id body sentAt ${sender} } }`,
          subscribers,
          members,
          conversationId,
          send,
        });
        results.push(result);
        console.log(
          `${String(subscribers).padStart(5)} × ${target.padEnd(18)} p50 ${fixed(result.p50, 1)} ms` +
            `  p99 ${fixed(result.p99, 1)} ms  ${fixed(result.eventsPerSecond, 1)} events/s` +
            `  ${fixed(result.deliveriesPerSecond, 0)} deliveries/s  lost ${result.lost}`,
        );
      }
    }
    console.log(
      [
        '',
        `${EVENTS} messages, each sent once the previous one reached every subscriber; ${dbKind}.`,
        '',
        '| subscribers | path | p50 ms | p99 ms | events/s | deliveries/s | lost |',
        '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
        ...results.map(
          (result) =>
            `| ${result.subscribers} | ${result.target} | ${fixed(result.p50, 1)} | ` +
            `${fixed(result.p99, 1)} | ${fixed(result.eventsPerSecond, 1)} | ` +
            `${fixed(result.deliveriesPerSecond, 0)} | ${result.lost} |`,
        ),
      ].join('\n'),
    );
  } finally {
    await cleanUp();
  }
  if (PROFILE) console.log(`\nCPU profile of the gateway: ${PROFILE_DIR}/`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
