// npm run bench:subscriptions: federated subscriptions through the gateway against the same
// subscription directly on the subgraph.
//
// How: the five subgraphs with the demo data run in one child process and our gateway in another
// (the same children as bench:gateway; on DATABASE_URL and REDIS_URL in schemas of their own,
// dropped afterwards, when set; embedded otherwise). The demo member creates a squad that
// BENCH_USERS new members (default 100) join; its group chat is the stream. For each N in
// BENCH_SUBSCRIBERS (default "100,1000,10000"), N graphql-ws clients (one connection each, the
// members taken in turn, connected BENCH_CONNECT_BATCH = 250 at a time; a subscription refused
// before its first event, e.g. when the subgraph's authorisation timed out on a busy machine, is
// tried again, up to 30 times) subscribe to `messageAdded` of
// the squad chat, first through the gateway with the sender's displayName (from identity: fetched
// once for all members, and reused across messages for a few seconds, as the gateway does for
// fields declared @sameForEveryCaller), then directly on messaging (which can only give the
// sender's id; only for N up to BENCH_DIRECT_MAX, default 1000). Once every subscriber has received a
// warm-up message, the demo member sends BENCH_WARMUP unmeasured messages (default 50: the first
// pair's gateway run is the gateway's first subscription work, 10 left it slower in most runs), then,
// once the gateway and the subgraphs are quiet (untilQuiet), BENCH_EVENTS measured ones (default
// 500, 100 at 10,000 subscribers: a message's deliveries come in a clump of N, so p99 over fewer
// than a few hundred messages is the luck of the worst one or two), straight to messaging, one
// after the other, each once the previous one reached all N subscribers: both paths are measured
// warm and on a quiet machine, whichever runs first.
//
// Reported per run: the delivery latency (from just before the send to each subscriber's receipt,
// on this process's clock, so it includes the send itself) at p50 and p99 over all N × events
// deliveries, events/s (messages fully fanned out to all N per second) and deliveries/s; lost
// deliveries when a message did not reach everyone within 30 s; through the gateway, the gateway
// process's CPU time (user + system, from /proc) over the measured window per delivery, and its own
// time per upstream event, from the frame's arrival to its result handed to every subscriber of it
// (the mean of its gateway_subscription_fanout_seconds histogram over the window, from /metrics:
// what the gateway adds, without the subscribers' process or the subgraph), and on both paths this
// process's own CPU time per delivery (the subscribers' cost, part of every latency) and the
// subgraphs' process's (messaging's sends and the message's request): on a machine with fewer
// cores than busy processes, the three together bound the latency. For each N up to
// BENCH_DIRECT_MAX the two paths run as BENCH_PAIRS pairs (default 3), alternating which goes
// first (the first of a pair pays more of this process's CPU); the p50 and p99 ratios to the
// direct path are within a pair, and their median over the pairs is printed last (on a busy
// machine, p50's is the steadier). Before them, BENCH_WARMUP_RUNS runs (default 1) of the first N
// through the gateway, printed as warm-up and left out: the benchmark's first run was slower in
// every process than the later ones, and it was always a gateway run. The subscribers are minimal
// graphql-transport-ws clients (no graphql-ws client per connection), the same on both paths, on a
// WebSocket client of the benchmark's own written on `net` (scripts/bench/lean-subscriber.ts:
// every connection reads into one static buffer, with no stream and no `ws`), so that 10,000 of
// them in this one process cost as little as they can; the process
// needs a file descriptor per subscriber (`ulimit -n`). A measurement, not a test: it exits 0
// whatever the numbers, non-zero only when setup fails.
import { randomUUID } from 'node:crypto';
import {
  gatewayCredentialHeaders,
  graphqlClient,
  TEST_SERVICE_TOKEN_SECRET,
} from '@fitnexa/shared/testing';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { connectLeanWebSocket, type LeanWebSocket } from './bench/lean-subscriber';
import { processCpuSeconds } from './bench/load';
import { startBenchRun } from './bench/processes';
import { GATEWAY_NODE_ARGS } from './lib/gateway-runtime';
import type { AllocationWindow } from './bench/allocations';
import type { GatewayConfig, GatewayReady, SubgraphsReady } from './bench/protocol';
import type { SubgraphsConfig } from './bench/subgraphs';
import { fixed, median } from './bench/stats';
import { integerSetting } from './bench/settings';

const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '100,1000,10000').split(',').map(Number);
const EVENTS =
  process.env.BENCH_EVENTS === undefined ? undefined : integerSetting('BENCH_EVENTS', 500);
/** Measured messages for N subscribers: BENCH_EVENTS, or 500 up to a million deliveries. */
const eventsFor = (subscribers: number) =>
  EVENTS ?? Math.max(20, Math.min(500, Math.floor(1_000_000 / subscribers)));
const WARMUP = integerSetting('BENCH_WARMUP', 50);
const WARMUP_RUNS = integerSetting('BENCH_WARMUP_RUNS', 1, 0);
const USERS = integerSetting('BENCH_USERS', 100);
const DIRECT_MAX = integerSetting('BENCH_DIRECT_MAX', 1000);
const PAIRS = integerSetting('BENCH_PAIRS', 3);
const CONNECT_BATCH = integerSetting('BENCH_CONNECT_BATCH', 250);
const SUBSCRIBE_ATTEMPTS = 30;
const DELIVERY_TIMEOUT_MS = 30_000;
const DATABASE_URL = process.env.DATABASE_URL;
// BENCH_PROFILE runs children with --cpu-prof (written when they stop, into PROFILE_DIR): a comma
// list of `gateway` (also `1`) and `subgraphs`. The measured windows are printed on the profiles'
// clock, to cut them to those seconds.
const PROFILED = new Set(
  (process.env.BENCH_PROFILE ?? '')
    .split(',')
    .map((name) => (['1', 'true', 'ours'].includes(name) ? 'gateway' : name))
    .filter(Boolean),
);
const PROFILE_DIR = '/tmp/fitnexa-bench-profiles';
// BENCH_ALLOCATIONS=1 samples what the gateway allocates over each measured window of its own
// (V8's sampling heap profiler, collected objects included: scripts/bench/allocations.ts), prints
// it per delivery and writes each window's .heapprofile into PROFILE_DIR.
const ALLOCATIONS = ['1', 'true'].includes(process.env.BENCH_ALLOCATIONS ?? '');
const profileArgs = (child: string) =>
  PROFILED.has(child) ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : undefined;
/** Microseconds on the monotonic clock, as --cpu-prof's sample timestamps are. */
const monotonicMicros = () => process.hrtime.bigint() / 1000n;

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
  /** Which of the N's gateway/direct pairs it is (from 1): ratios are within a pair. */
  pair: number;
  p50: number;
  p99: number;
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  lost: number;
  /** The gateway's CPU milliseconds per delivery over the measured window (gateway runs only). */
  cpuMsPerDelivery?: number;
  /**
   * This process's CPU milliseconds per delivery over the measured window: the subscribers' own
   * cost (and the sends), which is in every latency on both paths.
   */
  subscribersCpuMsPerDelivery: number;
  /**
   * The subgraphs' process's CPU milliseconds per delivery over the measured window: messaging's
   * sends (to the subscribers, or to the gateway) and the message's own request.
   */
  subgraphsCpuMsPerDelivery: number;
  /** The gateway's mean milliseconds from an upstream event to its hand-out (gateway runs only). */
  fanOutMs?: number;
  /** The gateway's bytes allocated per delivery over the window (BENCH_ALLOCATIONS). */
  allocatedPerDelivery?: number;
}

/** The gateway's fan-out histogram so far: seconds summed and upstream events counted. */
async function fanOutSoFar(gatewayUrl: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(new URL('/metrics', gatewayUrl))).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    sum: value('gateway_subscription_fanout_seconds_sum'),
    count: value('gateway_subscription_fanout_seconds_count'),
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** CPU milliseconds (user + system) process `pid` used so far, from /proc. */
const cpuMs = (pid: number) => processCpuSeconds(pid) * 1000;

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

/**
 * One graphql-transport-ws connection holding one subscription, as lean as the protocol allows:
 * resolves with the socket once the connection is acknowledged and the subscription sent.
 */
function subscribe(options: {
  url: string;
  connectionParams: Record<string, unknown>;
  query: string;
  variables: Record<string, unknown>;
  next(payload: { data?: { messageAdded: { body: string } }; errors?: unknown }, at: number): void;
  failed(why: string): void;
}): Promise<LeanWebSocket> {
  return new Promise((resolve, reject) => {
    let acknowledged = false;
    let attempt = 0;
    // A UUID per attempt, as graphql-ws's own client makes its ids: no two subscribers' `next`
    // frames are the same bytes.
    let id = '';
    let live = false;
    let retrying = false;
    // How every event of the live subscription without errors starts, on both paths: graphql-ws's
    // `next` (id, type, payload) with the result's data first. Such a frame only needs its body,
    // which is read without parsing the rest: at 10,000 subscribers this process's work per frame
    // is in every latency, through the gateway and directly alike.
    let eventStart = '';
    const BODY = '"body":"';
    const BACKSLASH = 0x5c;
    const subscribeOnce = () => {
      attempt += 1;
      id = randomUUID();
      eventStart = `{"id":"${id}","type":"next","payload":{"data":{"messageAdded":{`;
      const payload = { query: options.query, variables: options.variables };
      socket.sendText(JSON.stringify({ id, type: 'subscribe', payload }));
    };
    const onText = (text: string) => {
      const at = now();
      if (live && !retrying && text.startsWith(eventStart)) {
        // One pass over the text: the body is the first `"body":"` after the prefix (a string
        // before it would have its quotes escaped) up to its closing quote (parsed instead when
        // the quote is escaped), and the result's errors can only come after its data, so after
        // the body.
        const from = text.indexOf(BODY, eventStart.length) + BODY.length;
        const to = text.indexOf('"', from);
        if (
          from >= BODY.length &&
          to > from &&
          text.charCodeAt(to - 1) !== BACKSLASH &&
          !text.includes('"errors"', to)
        ) {
          options.next({ data: { messageAdded: { body: text.slice(from, to) } } }, at);
          return;
        }
      }
      const message = JSON.parse(text) as Message;
      if (message.type === 'connection_ack') {
        acknowledged = true;
        subscribeOnce();
        resolve(socket);
        return;
      }
      if (message.type === 'ping') {
        socket.sendText('{"type":"pong"}');
        return;
      }
      // What a refused attempt still gets (its `complete`) is not this one's.
      if (retrying || message.id !== id) return;
      const payload = message.payload as Parameters<typeof options.next>[0];
      const refused = message.type !== 'next' || !!payload.errors;
      if (refused && !live && attempt < SUBSCRIBE_ATTEMPTS) {
        // Refused while thousands are authorised at once on a busy machine (messaging asks squad
        // about each member, within 3 s): set-up, not measurement, so it tries again.
        retrying = true;
        setTimeout(() => {
          retrying = false;
          subscribeOnce();
        }, 1_000);
        return;
      }
      if (message.type === 'next') {
        live = true;
        options.next(payload, at);
      } else {
        options.failed(`${message.type} ${JSON.stringify(message.payload ?? null)}`);
      }
    };
    // The same lean client on both paths (no compression offered: neither server takes it; no
    // UTF-8 check of each frame: every frame is either parsed as JSON or matched above).
    const socket = connectLeanWebSocket({
      url: options.url,
      protocol: 'graphql-transport-ws',
      onText,
      onClose: (code, reason) => {
        if (!acknowledged) reject(new Error(`closed ${code} ${reason} before its ack`));
        else if (code !== 1000) options.failed(`closed ${code} ${reason}`);
      },
    });
    socket.opened.then(
      () =>
        socket.sendText(
          JSON.stringify({ type: 'connection_init', payload: options.connectionParams }),
        ),
      reject,
    );
  });
}

/**
 * A measured run starts once each process used under 5 % of a CPU over 500 ms (/proc counts in
 * 10 ms ticks: two at most).
 */
const QUIET_CPU_SHARE = 0.05;
const QUIET_WINDOW_MS = 500;
const QUIET_MAX_MS = 15_000;

/**
 * Waits until every process in `pids` is quiet (QUIET_CPU_SHARE over QUIET_WINDOW_MS), at most
 * QUIET_MAX_MS: work left from the setup or the run before (the subgraphs' outbox and consumers
 * after a hundred registrations, say) would otherwise share the first measured messages' CPU
 * with one path and not the other, as 0041 found for bench:gateway's loads.
 */
async function untilQuiet(pids: number[]) {
  const deadline = Date.now() + QUIET_MAX_MS;
  let before = pids.map(cpuMs);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
    const after = pids.map(cpuMs);
    if (after.every((used, index) => used - before[index]! < QUIET_CPU_SHARE * QUIET_WINDOW_MS)) {
      return;
    }
    before = after;
  }
  console.log(`  (not quiet after ${QUIET_MAX_MS / 1000} s: measuring anyway)`);
}

/** N subscribers on `url`, warmed up, then `eventsFor(N)` messages sent to messaging one by one. */
async function run(options: {
  pair: number;
  target: string;
  url: string;
  query: string;
  subscribers: number;
  members: string[];
  conversationId: string;
  send(body: string): Promise<unknown>;
  /** Straight to this subgraph: with the gateway's service credential. */
  service?: string;
  /** The gateway's process, whose CPU time is measured. */
  gatewayPid?: number;
  /** The subgraphs' process (messaging among them), whose CPU time is measured on both paths. */
  subgraphsPid: number;
  /** The processes that must be quiet before the measured messages (see untilQuiet). */
  quietPids: number[];
  /** The gateway's allocation sampling (gateway runs with BENCH_ALLOCATIONS). */
  allocationsUrl?: string;
}): Promise<RunResult> {
  const throughGateway = options.gatewayPid !== undefined;
  const { subscribers } = options;
  const runId = randomUUID().slice(0, 8);
  const warmed = new Set<number>();
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const received = new Map<number, number>();
  let onDelivery: (() => void) | undefined;
  const failures: string[] = [];
  const sockets: LeanWebSocket[] = [];
  const credential = options.service ? await gatewayCredentialHeaders(options.service) : {};
  const url = options.url.replace(/^http/, 'ws');
  try {
    // In batches: thousands of connection_inits at once would outlast the gateway's 3 s wait.
    for (let first = 0; first < subscribers; first += CONNECT_BATCH) {
      const batch: Promise<LeanWebSocket>[] = [];
      for (let index = first; index < Math.min(subscribers, first + CONNECT_BATCH); index += 1) {
        batch.push(
          subscribe({
            url,
            connectionParams: {
              authorization: `Bearer ${options.members[index % options.members.length]}`,
              ...credential,
            },
            query: options.query,
            variables: { id: options.conversationId },
            next: ({ data, errors }, at) => {
              if (errors || !data) {
                failures.push(JSON.stringify(errors));
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
            failed: (why) => failures.push(why),
          }),
        );
      }
      const settled = await Promise.allSettled(batch);
      for (const outcome of settled) {
        if (outcome.status === 'fulfilled') sockets.push(outcome.value);
        else failures.push(String(outcome.reason));
      }
      if (failures.length) throw new Error(`${options.target}: ${failures[0]}`);
    }
    // graphql-ws never acknowledges a subscription: poke until every subscriber hears one.
    const warmUntil = Date.now() + 300_000;
    while (warmed.size < subscribers) {
      if (Date.now() > warmUntil || failures.length) {
        throw new Error(
          `${options.target}: ${warmed.size}/${subscribers} subscribers live, ` +
            `${failures.length} failed${failures.length ? ` (${failures[0]})` : ''}`,
        );
      }
      // A poke may fail while N subscriptions are being authorised at once (messaging's pool
      // busy): the next one goes 250 ms later.
      await options.send(`warm ${runId}`).catch((error: unknown) => {
        console.warn(`warm-up message failed (retrying): ${(error as Error).message}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Until the last warm-up messages are through.
    await new Promise((resolve) => setTimeout(resolve, subscribers >= 5_000 ? 2_000 : 250));

    // Unmeasured messages first, sent and awaited as the measured ones: the path's code is
    // optimised and the set-up's garbage collected before the clock runs, whichever path runs
    // first (otherwise the first path measured pays for both processes' warm-up).
    const deliver = async (sequence: number) => {
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
      return all;
    };
    for (let sequence = -WARMUP; sequence < 0; sequence += 1) {
      if (!(await deliver(sequence))) throw new Error(`${options.target}: warm-up message lost`);
    }
    latencies.length = 0;
    await untilQuiet(options.quietPids);

    let lost = 0;
    // Read before the clocks start: the request for /metrics is no delivery's cost (this
    // process's first fetch, and the gateway's rendering of its metrics, are many deliveries').
    const fanOutBefore = throughGateway ? await fanOutSoFar(options.url) : undefined;
    const startedMicros = monotonicMicros();
    const started = now();
    const cpuBefore = options.gatewayPid ? cpuMs(options.gatewayPid) : 0;
    const subgraphsCpuBefore = cpuMs(options.subgraphsPid);
    const ownCpuBefore = process.cpuUsage();
    const allocations = options.allocationsUrl;
    if (allocations) await fetch(`${allocations}/start`, { method: 'POST' });
    const events = eventsFor(subscribers);
    for (let sequence = 1; sequence <= events; sequence += 1) {
      if (!(await deliver(sequence))) lost += subscribers - (received.get(sequence) ?? 0);
    }
    const cpuUsed = options.gatewayPid ? cpuMs(options.gatewayPid) - cpuBefore : NaN;
    const subgraphsCpuUsed = cpuMs(options.subgraphsPid) - subgraphsCpuBefore;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const allocated = allocations
      ? ((await (
          await fetch(`${allocations}/stop`, { method: 'POST' })
        ).json()) as AllocationWindow)
      : undefined;
    const fanOutAfter = fanOutBefore ? await fanOutSoFar(options.url) : undefined;
    const seconds = (now() - started) / 1000;
    if (PROFILED.size) {
      console.log(
        `measured window of ${subscribers} × ${options.target}: ${startedMicros}–${monotonicMicros()} µs (profiles' clock)`,
      );
    }
    latencies.sort((a, b) => a - b);
    return {
      target: options.target,
      subscribers,
      pair: options.pair,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      eventsPerSecond: events / seconds,
      deliveriesPerSecond: latencies.length / seconds,
      lost,
      cpuMsPerDelivery: options.gatewayPid ? cpuUsed / latencies.length : undefined,
      allocatedPerDelivery: allocated ? allocated.bytes / latencies.length : undefined,
      subscribersCpuMsPerDelivery: (ownCpu.user + ownCpu.system) / 1000 / latencies.length,
      subgraphsCpuMsPerDelivery: subgraphsCpuUsed / latencies.length,
      fanOutMs:
        fanOutBefore && fanOutAfter
          ? ((fanOutAfter.sum - fanOutBefore.sum) / (fanOutAfter.count - fanOutBefore.count)) * 1000
          : undefined,
    };
  } finally {
    onDelivery = undefined;
    await Promise.all(sockets.map((socket) => socket.close(1000)));
  }
}

async function main() {
  const { children, schemas, cleanUp } = startBenchRun(DATABASE_URL);

  try {
    const dbKind = DATABASE_URL
      ? `PostgreSQL${process.env.REDIS_URL ? ' + Redis' : ' + in-process cache'}`
      : `embedded (PGlite${process.env.REDIS_URL ? ' + Redis' : ', in-process hub'})`;
    console.log(`Starting the subgraphs (${dbKind}) and the gateway…`);
    const subgraphs = await children.start<SubgraphsReady>('subgraphs', 'subgraphs.ts', {
      nodeArgs: profileArgs('subgraphs'),
      // The test kit's secret: its gateway credentials reach messaging directly (gatewayCredentialHeaders).
      config: { schemas, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET } satisfies SubgraphsConfig,
    });
    const config: GatewayConfig = {
      subgraphUrls: subgraphs.ready.subgraphs,
      jwksUrl: subgraphs.ready.jwksUrl,
      serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET,
      redisUrl: process.env.REDIS_URL,
      deduplication: true,
      allocationsDir: ALLOCATIONS ? PROFILE_DIR : undefined,
    };
    const gateway = await children.start<GatewayReady>('ours', 'gateway.ts', {
      config,
      args: ['ours'],
      // As it is deployed (scripts/lib/gateway-runtime.ts).
      nodeArgs: [...GATEWAY_NODE_ARGS, ...(profileArgs('gateway') ?? [])],
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
    const paths = [
      ['gateway', gatewayUrl, 'sender { displayName }', undefined],
      ['direct (messaging)', messagingUrl, 'sender { id }', 'messaging'],
    ] as const;
    // The first path of a pair pays more of this process's CPU per delivery than the second
    // (seen either way round: 105–109 against 67–89 µs at 100 subscribers), so pairs alternate
    // which path goes first, and the ratios are reported per pair and as their median.
    const runs = SUBSCRIBERS.flatMap((subscribers) =>
      subscribers > DIRECT_MAX
        ? [{ subscribers, pair: 1, path: paths[0] }]
        : Array.from({ length: PAIRS }, (_, index) =>
            (index % 2 ? [paths[1], paths[0]] : [paths[0], paths[1]]).map((path) => ({
              subscribers,
              pair: index + 1,
              path,
            })),
          ).flat(),
    );
    const measure = async ({ subscribers, pair, path }: (typeof runs)[number]) => {
      const [target, url, sender, service] = path;
      const result = await run({
        pair,
        target,
        url,
        service,
        gatewayPid: service ? undefined : gateway.pid,
        subgraphsPid: subgraphs.pid,
        quietPids: [gateway.pid, subgraphs.pid],
        allocationsUrl: service ? undefined : gateway.ready.allocationsUrl,
        query: `subscription M($id: ID!) { messageAdded(conversationId: $id) { id body sentAt ${sender} } }`,
        subscribers,
        members,
        conversationId,
        send,
      });
      console.log(
        `${String(subscribers).padStart(5)} × ${target.padEnd(18)} (${pair ? `pair ${pair}` : 'warm-up'})` +
          `  p50 ${fixed(result.p50, 1)} ms  p99 ${fixed(result.p99, 1)} ms` +
          `  ${fixed(result.eventsPerSecond, 1)} events/s` +
          `  ${fixed(result.deliveriesPerSecond, 0)} deliveries/s  lost ${result.lost}` +
          `  subscribers' CPU ${fixed(result.subscribersCpuMsPerDelivery * 1000, 1)} µs/delivery` +
          `  subgraphs' CPU ${fixed(result.subgraphsCpuMsPerDelivery * 1000, 1)} µs/delivery` +
          (result.cpuMsPerDelivery === undefined
            ? ''
            : `  gateway CPU ${fixed(result.cpuMsPerDelivery * 1000, 1)} µs/delivery`) +
          (result.fanOutMs === undefined
            ? ''
            : `  gateway ${fixed(result.fanOutMs, 2)} ms/upstream event`) +
          (result.allocatedPerDelivery === undefined
            ? ''
            : `  gateway allocated ${fixed(result.allocatedPerDelivery / 1024, 2)} KB/delivery`),
      );
      return result;
    };
    // The benchmark's first run was slower than every later one in every process, the warm-up
    // messages and the quiet wait notwithstanding (its gateway, subscribers' and subgraphs' CPU per
    // delivery about 1.4× the others': processes growing into memory they had not touched), and
    // it is always a gateway run: BENCH_WARMUP_RUNS runs of the first N through the gateway go
    // first, reported as warm-up and left out of the results.
    for (let index = 0; index < WARMUP_RUNS; index += 1) {
      await measure({ ...runs[0]!, pair: 0 });
    }
    for (const planned of runs) results.push(await measure(planned));
    /** The gateway run's latency over the direct run's of the same pair. */
    const ratio = (result: RunResult, of: 'p50' | 'p99') => {
      const direct = results.find(
        (other) =>
          other.subscribers === result.subscribers &&
          other.pair === result.pair &&
          other.target !== 'gateway',
      );
      return result.target === 'gateway' && direct ? result[of] / direct[of] : NaN;
    };
    const medianRatios = SUBSCRIBERS.filter((subscribers) => subscribers <= DIRECT_MAX).map(
      (subscribers) => {
        const gatewayRuns = results.filter(
          (result) => result.subscribers === subscribers && result.target === 'gateway',
        );
        const medianRatio = (of: 'p50' | 'p99') =>
          median(gatewayRuns.map((result) => ratio(result, of)));
        return (
          `${subscribers} subscribers, median of ${gatewayRuns.length} pairs: ` +
          `p50 ${fixed(medianRatio('p50'), 2)}×, p99 ${fixed(medianRatio('p99'), 2)}× the direct path`
        );
      },
    );
    console.log(
      [
        '',
        `${SUBSCRIBERS.map((n) => `${eventsFor(n)} messages at ${n}`).join(', ')} subscribers, ` +
          `after ${WARMUP} unmeasured ones, each sent once the previous one reached ` +
          `every subscriber; ${dbKind}. Pairs alternate which path runs first.`,
        '',
        "| subscribers | pair | path | p50 ms | p99 ms | p50 ÷ direct | p99 ÷ direct | events/s | deliveries/s | lost | gateway CPU µs/delivery | gateway ms/upstream event | subscribers' CPU µs/delivery | subgraphs' CPU µs/delivery |",
        '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...results.map((result) => {
          const cpu = result.cpuMsPerDelivery === undefined ? NaN : result.cpuMsPerDelivery * 1000;
          return (
            `| ${result.subscribers} | ${result.pair} | ${result.target} | ${fixed(result.p50, 1)} | ` +
            `${fixed(result.p99, 1)} | ${fixed(ratio(result, 'p50'), 2)} | ` +
            `${fixed(ratio(result, 'p99'), 2)} | ` +
            `${fixed(result.eventsPerSecond, 1)} | ${fixed(result.deliveriesPerSecond, 0)} | ` +
            `${result.lost} | ${fixed(cpu, 1)} | ${fixed(result.fanOutMs ?? NaN, 2)} | ` +
            `${fixed(result.subscribersCpuMsPerDelivery * 1000, 1)} | ` +
            `${fixed(result.subgraphsCpuMsPerDelivery * 1000, 1)} |`
          );
        }),
        '',
        ...medianRatios,
      ].join('\n'),
    );
  } finally {
    await cleanUp();
  }
  if (PROFILED.size) console.log(`\nCPU profiles (${[...PROFILED].join(', ')}): ${PROFILE_DIR}/`);
  if (ALLOCATIONS) console.log(`\nThe gateway's allocation profiles: ${PROFILE_DIR}/*.heapprofile`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
