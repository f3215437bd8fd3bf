// npm run bench:gateway (alias: npm run bench): our gateway against plain Apollo Gateway and Hive
// Gateway on the same subgraphs, supergraph and query.
//
// How: the five subgraphs with the demo data run in one child process (on DATABASE_URL and
// REDIS_URL in schemas of their own, dropped afterwards, when set; embedded otherwise); each
// gateway runs in a child process of its own (one Node thread, like one worker) on the same
// supergraph, its routing URLs rewritten to the started subgraphs. Ours runs as in production but
// with rate limits too high to refuse this load (see bench/gateways/ours.ts). The demo member logs
// in once; every gateway must answer the member dashboard (identity, gym, workout, squad and
// messaging in one query) with the same data and no errors, or the run fails. Then autocannon (one
// worker thread, BENCH_CONNECTIONS connections, default 20) loads one gateway at a time for
// BENCH_SECONDS (default 10), after a 3 s warm-up before each gateway's first round, alternating
// ours, Apollo, Hive for BENCH_ROUNDS rounds (default 2).
//
// Reported per gateway: correct responses per second, and the p50 and p99 latencies, each the
// mean of the rounds' values; errors (connection errors, timeouts, non-2xx responses and any body
// other than the verified one, so GraphQL errors too); and the CPU that the gateway, the
// subgraphs, autocannon and the rest of the machine used (from /proc, on Linux). On a small
// machine the subgraphs' one thread is often the limit: then CPU ms per request tells the
// gateways apart better than req/s.
//
// Ours and Hive Gateway send identical subgraph requests that are in flight at the same time only
// once (plain Apollo does not); as every request here is the same user's same query, that weighs a
// lot. Both deduplicate by default, as each ships; BENCH_HIVE_DEDUP=false turns Hive's off. BENCH_PROFILE=ours|apollo|hive runs that gateway with
// --cpu-prof, writing the profile under /tmp/fitnexa-bench-profiles.
//
// BENCH_TRACING_RATIO=0.1 runs ours with OpenTelemetry tracing on (parentbased_traceidratio at that
// ratio, started as production starts it, exporting over OTLP/HTTP to a receiver that keeps
// nothing, scripts/bench/otlp-sink.ts); compare its req/s with a run without it.
//
// A measurement, not a test: it exits 0 whatever the numbers, non-zero only when setup fails.
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { runLoad, type RoundResult } from './bench/load';
import { startOtlpSink } from './bench/otlp-sink';
import { startBenchRun, type RunningChild } from './bench/processes';
import {
  GATEWAY_KINDS,
  TRACED,
  type GatewayConfig,
  type GatewayKind,
  type GatewayReady,
  type SubgraphsReady,
} from './bench/protocol';
import type { SubgraphsConfig } from './bench/subgraphs';

const CONNECTIONS = positive('BENCH_CONNECTIONS', 20);
const SECONDS = positive('BENCH_SECONDS', 10);
const ROUNDS = positive('BENCH_ROUNDS', 2);
const WARM_UP_SECONDS = 3;
/** CPU % of the subgraphs process from which it, not the gateway, likely limits throughput. */
const SUBGRAPHS_BUSY_PERCENT = 85;
const PROFILE = process.env.BENCH_PROFILE as GatewayKind | undefined;
const PROFILE_DIR = '/tmp/fitnexa-bench-profiles';
const DATABASE_URL = process.env.DATABASE_URL;
const HIVE_DEDUPLICATION = process.env.BENCH_HIVE_DEDUP !== 'false';
const TRACING_RATIO = process.env.BENCH_TRACING_RATIO;
/** The gateways run, in the order each round loads them. */
const KINDS: readonly GatewayKind[] = TRACING_RATIO ? [...GATEWAY_KINDS, TRACED] : GATEWAY_KINDS;

const LABELS: Record<GatewayKind, string> = {
  ours: 'ours (FitNexa)',
  apollo: 'plain Apollo',
  hive: 'Hive Gateway',
  [TRACED]: `ours, traced ${TRACING_RATIO ?? ''}`,
};

const DASHBOARD = `query Dashboard($from: DateTime!, $to: DateTime!) {
  me {
    displayName
    memberships(status: ACTIVE) { status gym { name } plan { name } }
    bookedClasses(from: $from, to: $to) {
      status
      class { title startsAt gym { name } coach { displayName } }
    }
    workoutSessions(first: 5) {
      edges { node { startedAt gym { name } sets { reps weightKg exercise { name } } } }
    }
    personalRecords { kind value exercise { name } }
    squads { name memberCount }
    unreadCount
  }
}`;

interface Dashboard {
  me: {
    memberships: unknown[];
    bookedClasses: unknown[];
    workoutSessions: { edges: { node: { sets: unknown[] } }[] };
    personalRecords: unknown[];
    squads: unknown[];
    unreadCount: number;
  };
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string }[];
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

async function post(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

function parsed<T>(gateway: string, response: { status: number; text: string }): T {
  let json: GraphQLResponse<T>;
  try {
    json = JSON.parse(response.text) as GraphQLResponse<T>;
  } catch {
    throw new Error(`${gateway} answered ${response.status}: ${response.text.slice(0, 500)}`);
  }
  if (response.status !== 200 || json.errors?.length || !json.data) {
    throw new Error(`${gateway} answered ${response.status}: ${response.text.slice(0, 2000)}`);
  }
  return json.data;
}

async function logIn(url: string): Promise<string> {
  const response = await post(
    url,
    { 'content-type': 'application/json' },
    JSON.stringify({
      query: 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }',
      variables: { input: { email: DEMO_USERS.member.email, password: DEMO_PASSWORD } },
    }),
  );
  return parsed<{ login: { accessToken: string } }>('login', response).login.accessToken;
}

/** The first path at which two JSON values differ, for a readable failure. */
function firstDifference(a: unknown, b: unknown, path = 'data'): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const key of keys) {
    const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${key}`);
  }
  return `${path}: key order differs`;
}

function describe({ me }: Dashboard, bytes: number): string {
  const sets = me.workoutSessions.edges.reduce((count, edge) => count + edge.node.sets.length, 0);
  return [
    `${me.memberships.length} memberships`,
    `${me.bookedClasses.length} booked classes`,
    `${me.workoutSessions.edges.length} sessions with ${sets} sets`,
    `${me.personalRecords.length} personal records`,
    `${me.squads.length} squads`,
    `${me.unreadCount} unread`,
    `${bytes} bytes`,
  ].join(', ');
}

interface Totals {
  rounds: RoundResult[];
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';

function report(totals: Record<GatewayKind, Totals>, dbKind: string) {
  const summary = Object.fromEntries(
    KINDS.map((kind) => {
      const { rounds } = totals[kind];
      return [
        kind,
        {
          rps: mean(rounds.map((round) => round.rps)),
          p50: mean(rounds.map((round) => round.p50)),
          p99: mean(rounds.map((round) => round.p99)),
          errors: rounds.reduce((sum, round) => sum + round.errors, 0),
        },
      ];
    }),
  ) as Record<GatewayKind, { rps: number; p50: number; p99: number; errors: number }>;
  const lines = [
    '',
    '| gateway | req/s | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...KINDS.map((kind) => {
      const { rps, p50, p99, errors } = summary[kind];
      return `| ${LABELS[kind]} | ${fixed(rps, 0)} | ${fixed(p50, 1)} | ${fixed(p99, 1)} | ${errors} |`;
    }),
    '',
    `ours ÷ Hive: ${fixed(summary.ours.rps / summary.hive.rps, 2)}× req/s · ` +
      `ours ÷ plain Apollo: ${fixed(summary.ours.rps / summary.apollo.rps, 2)}× req/s`,
  ];
  for (const kind of KINDS.filter((kind) => summary[kind].errors > 0)) {
    const statuses: Record<string, number> = {};
    for (const round of totals[kind].rounds) {
      for (const [status, count] of Object.entries(round.otherStatuses)) {
        statuses[status] = (statuses[status] ?? 0) + count;
      }
    }
    const breakdown = Object.entries(statuses).map(([status, count]) => `${count} × ${status}`);
    lines.push(
      `${LABELS[kind]}: ${summary[kind].errors} errors` +
        (breakdown.length ? ` (non-200: ${breakdown.join(', ')})` : ' (none with another status)'),
    );
  }
  // CPU from /proc: how busy each gateway was, what a request cost it, and whether the subgraphs
  // (one process, one thread) were the limit rather than the gateway.
  const hasCpu = KINDS.every((kind) =>
    totals[kind].rounds.every((round) => round.cpuSeconds.gateway !== undefined),
  );
  if (hasCpu) {
    const usage = Object.fromEntries(
      KINDS.map((kind) => {
        const { rounds } = totals[kind];
        const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
        const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
        const cpu = (name: string) =>
          rounds.reduce((sum, round) => sum + (round.cpuSeconds[name] ?? NaN), 0);
        const percent = (cpuSeconds: number) => (100 * cpuSeconds) / seconds;
        return [
          kind,
          {
            gateway: percent(cpu('gateway')),
            perRequest: (1000 * cpu('gateway')) / requests,
            subgraphs: percent(cpu('subgraphs')),
            load: percent(cpu('load')),
            // Sampled at slightly different moments: a tiny negative rest is zero.
            rest: Math.max(
              0,
              percent(cpu('machine') - cpu('gateway') - cpu('subgraphs') - cpu('load')),
            ),
          },
        ];
      }),
    ) as Record<
      GatewayKind,
      Record<'gateway' | 'perRequest' | 'subgraphs' | 'load' | 'rest', number>
    >;
    lines.push(
      '',
      `CPU during the rounds (100 % = one of the ${cpus().length} CPUs):`,
      '',
      '| gateway | gateway CPU % | gateway CPU ms/req | subgraphs CPU % | autocannon CPU % | rest of the machine CPU % |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...KINDS.map((kind) => {
        const { gateway, perRequest, subgraphs, load, rest } = usage[kind];
        return (
          `| ${LABELS[kind]} | ${fixed(gateway, 0)} | ${fixed(perRequest, 2)} | ` +
          `${fixed(subgraphs, 0)} | ${fixed(load, 0)} | ${fixed(rest, 0)} |`
        );
      }),
    );
    // The subgraphs share one Node thread: near a full core, they rather than the gateway set the
    // pace, and CPU per request says more about the gateway than req/s.
    const bound = KINDS.filter((kind) => usage[kind].subgraphs >= SUBGRAPHS_BUSY_PERCENT);
    if (bound.length) {
      lines.push(
        '',
        `The subgraphs process was ≥ ${SUBGRAPHS_BUSY_PERCENT} % busy under ` +
          `${bound.map((kind) => LABELS[kind]).join(', ')}: req/s there is bounded by the ` +
          'subgraphs; compare gateway CPU ms/req.',
      );
    }
  }
  const [cpu] = cpus();
  lines.push(
    '',
    `Node ${process.version} · ${cpus().length} CPUs${cpu ? ` (${cpu.model.trim()})` : ''} · ${dbKind} · ` +
      `${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds per gateway after a ` +
      `${WARM_UP_SECONDS} s warm-up · req/s (correct responses), p50 and p99: means over the ` +
      'rounds · ' +
      `Hive's in-flight subgraph request deduplication ${HIVE_DEDUPLICATION ? 'on' : 'off'}`,
  );
  console.log(lines.join('\n'));
}

async function main() {
  const { children, schemas, cleanUp } = startBenchRun(DATABASE_URL);
  const sink = TRACING_RATIO === undefined ? undefined : await startOtlpSink();

  try {
    if (sink) console.log(`Also ours traced at ratio ${TRACING_RATIO}, exporting to ${sink.url}`);
    if (PROFILE && !KINDS.includes(PROFILE)) {
      throw new Error(`BENCH_PROFILE must be one of ${KINDS.join(', ')}`);
    }
    const dbKind = DATABASE_URL
      ? `PostgreSQL${process.env.REDIS_URL ? ' + Redis' : ' + in-process cache'}`
      : `embedded (PGlite${process.env.REDIS_URL ? ' + Redis' : ', in-process cache'})`;
    console.log(`Starting the subgraphs (${dbKind})…`);
    // Every gateway calls the subgraphs with a credential signed with this (one per run).
    const serviceTokenSecret = randomBytes(32).toString('hex');
    const subgraphs = await children.start<SubgraphsReady>('subgraphs', 'subgraphs.ts', {
      config: { schemas, serviceTokenSecret } satisfies SubgraphsConfig,
    });
    const config: GatewayConfig = {
      subgraphUrls: subgraphs.ready.subgraphs,
      jwksUrl: subgraphs.ready.jwksUrl,
      serviceTokenSecret,
      redisUrl: process.env.REDIS_URL,
      hiveDeduplication: HIVE_DEDUPLICATION,
    };
    console.log('Starting the gateways…');
    const gateways = Object.fromEntries(
      await Promise.all(
        KINDS.map(
          async (kind) =>
            [
              kind,
              await children.start<GatewayReady>(kind, 'gateway.ts', {
                config:
                  kind === TRACED && sink && TRACING_RATIO
                    ? { ...config, tracing: { endpoint: sink.url, ratio: TRACING_RATIO } }
                    : config,
                args: [kind],
                nodeArgs:
                  kind === PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : undefined,
              }),
            ] as const,
        ),
      ),
    ) as Record<GatewayKind, RunningChild<GatewayReady>>;

    const token = await logIn(gateways.ours.ready.url);
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${token}`,
    };
    const from = new Date();
    const body = JSON.stringify({
      query: DASHBOARD,
      variables: {
        from: from.toISOString(),
        to: new Date(from.getTime() + 14 * 86_400_000).toISOString(),
      },
    });

    // The same data from each, without errors; the exact body (when it is stable) is then what
    // every request under load must get.
    const expected: Partial<Record<GatewayKind, string>> = {};
    let reference: Dashboard | undefined;
    for (const kind of KINDS) {
      const { url } = gateways[kind].ready;
      const first = await post(url, headers, body);
      const data = parsed<Dashboard>(LABELS[kind], first);
      if (!reference) {
        reference = data;
        console.log(`Dashboard: ${describe(data, Buffer.byteLength(first.text))}`);
      } else if (!isDeepStrictEqual(data, reference)) {
        throw new Error(
          `${LABELS[kind]} answers other data than ${LABELS.ours}: ${firstDifference(data, reference)}`,
        );
      }
      const second = await post(url, headers, body);
      if (second.text === first.text) expected[kind] = first.text;
      else console.warn(`${LABELS[kind]}: responses vary; errors count non-2xx and failures only`);
    }
    console.log('All answer the same data without errors.');

    const totals = Object.fromEntries(
      KINDS.map((kind) => [kind, { rounds: [] }]),
    ) as unknown as Record<GatewayKind, Totals>;
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const kind of KINDS) {
        const load = {
          url: gateways[kind].ready.url,
          headers,
          body,
          expectBody: expected[kind],
          connections: CONNECTIONS,
        };
        if (round === 1) await runLoad({ ...load, seconds: WARM_UP_SECONDS });
        const result = await runLoad(
          { ...load, seconds: SECONDS },
          { gateway: gateways[kind].pid, subgraphs: subgraphs.pid },
        );
        totals[kind].rounds.push(result);
        console.log(
          `round ${round}/${ROUNDS} ${LABELS[kind].padEnd(15)} ${fixed(result.rps, 0).padStart(6)} req/s` +
            `  p50 ${fixed(result.p50, 1)} ms  p99 ${fixed(result.p99, 1)} ms  errors ${result.errors}`,
        );
      }
    }
    report(totals, dbKind);
    if (sink) {
      const { spans, exports } = sink.counts();
      const ratio = (of: (round: RoundResult) => number) =>
        mean(totals[TRACED].rounds.map(of)) / mean(totals.ours.rounds.map(of));
      console.log(
        `\nTracing at ${TRACING_RATIO}: ${fixed(ratio((round) => round.rps) * 100, 1)} % of ` +
          `untraced ours' req/s, ${fixed(ratio((round) => (round.cpuSeconds.gateway ?? 0) / round.requests) * 100, 1)} % of its ` +
          `gateway CPU per request; ${spans} spans exported in ${exports} OTLP requests.`,
      );
    }
  } finally {
    await cleanUp();
    await sink?.close();
  }
  if (PROFILE) console.log(`\nCPU profile of ${LABELS[PROFILE]}: ${PROFILE_DIR}/`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
