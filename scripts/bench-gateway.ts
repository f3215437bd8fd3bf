// npm run bench:gateway (alias: npm run bench): our gateway against plain Apollo Gateway and Hive
// Gateway (with its JavaScript planner, and with its router runtime) on the same subgraphs,
// supergraph and workloads.
//
// How: the five subgraphs with the demo data run in one child process (on DATABASE_URL and
// REDIS_URL in schemas of their own, dropped afterwards, when set; embedded otherwise); each
// gateway runs in a child process of its own (one Node thread, like one worker) on the same
// supergraph, its routing URLs rewritten to the started subgraphs. Ours runs as in production but
// with rate limits too high to refuse this load (see bench/gateways/ours.ts). Where `taskset`
// exists, each gateway runs on CPU 0 and the subgraphs and the load generator on the other CPUs
// (BENCH_PIN=false: anywhere). The benchmark then adds members of its own who train, book, join
// squads and chat (bench/seed.ts), and runs each workload of BENCH_WORKLOAD (bench/workloads.ts):
//
// - dashboard: the demo member's dashboard (5 KB), the same request every time;
// - nested: an admin's squads → members → their gym, workout, squad and messaging data (tens of KB),
//   the same request every time;
// - varied: members' own pages with arguments of their own, many callers and variables, so that no
//   two requests in flight are alike and in-flight deduplication cannot carry the result.
//
// Every answer is checked against an oracle, plain Apollo Gateway's answer to the same request
// asked before the timed rounds (bench/oracle.ts): a gateway whose answer differs is reported, and
// under load every response other than that answer counts as an error. Then autocannon
// (BENCH_CONNECTIONS connections, default 50) loads one gateway at a time for BENCH_SECONDS
// (default 10), after a 3 s warm-up before each gateway's first round of a workload, alternating
// the gateways in the same order for BENCH_ROUNDS rounds (default 3), each load once the previous
// one's requests are done.
//
// Reported per workload and gateway: correct responses per second and the p50 and p99 latencies
// (medians of the rounds), the gateway's CPU ms per request, subgraph fetches per correct response
// (counted at the subgraphs' servers), errors, and ratios to each peer; the CPU that the gateway,
// the subgraphs, autocannon and the rest of the machine used (from /proc, on Linux); and a markdown
// table of it all for the docs.
//
// Ours and Hive Gateway send identical subgraph requests that are in flight at the same time only
// once (plain Apollo does not). Both deduplicate by default, as each ships; BENCH_DEDUP=false turns
// it off in both, to compare execution alone. BENCH_PROFILE=<gateway> runs that gateway with
// --cpu-prof, writing the profile under /tmp/fitnexa-bench-profiles.
//
// BENCH_TRACING_RATIO=0.1 runs ours with OpenTelemetry tracing on (parentbased_traceidratio at that
// ratio, started as production starts it, exporting over OTLP/HTTP to a receiver that keeps
// nothing, scripts/bench/otlp-sink.ts) as one more gateway; compare its req/s with ours'.
//
// BENCH_BASELINE=<another checkout of this repository, installed> runs that checkout's gateway as
// one more, "ours, baseline": a change and its base measured side by side in one run. Ours (and
// the baseline) run with the gateway's production Node options (scripts/lib/gateway-runtime.ts);
// BENCH_BASELINE_NODE_OPTIONS gives the baseline others ('' for Node's defaults).
//
// A measurement, not a test: it exits 0 whatever the numbers, non-zero only when setup fails.
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadRequest, type RoundResult } from './bench/load';
import { ask, validOracle, verifyAgainstOracle } from './bench/oracle';
import { startOtlpSink } from './bench/otlp-sink';
import { cpuPinning, pinProcess, startBenchRun, type RunningChild } from './bench/processes';
import { GATEWAY_NODE_ARGS } from './lib/gateway-runtime';
import {
  GATEWAY_KINDS,
  TRACED,
  BASELINE,
  type GatewayConfig,
  type GatewayKind,
  type GatewayReady,
  type SubgraphRequestCounts,
  type SubgraphsReady,
} from './bench/protocol';
import { seedBenchData } from './bench/seed';
import type { SubgraphsConfig } from './bench/subgraphs';
import { fixed, median } from './bench/stats';
import {
  buildWorkloads,
  WORKLOAD_NAMES,
  type Workload,
  type WorkloadName,
} from './bench/workloads';
import { integerSetting } from './bench/settings';

const CONNECTIONS = integerSetting('BENCH_CONNECTIONS', 50);
const SECONDS = integerSetting('BENCH_SECONDS', 10);
const ROUNDS = integerSetting('BENCH_ROUNDS', 3);
const WARM_UP_SECONDS = 3;
/** Between two loads: the subgraphs quiet this long, or this long at most (see settle). */
const SETTLE_QUIET_MS = 300;
const SETTLE_MAX_MS = 10_000;
const WORKLOADS = workloadNames(process.env.BENCH_WORKLOAD);
/** CPU % of the subgraphs process from which it, not the gateway, likely limits throughput. */
const SUBGRAPHS_BUSY_PERCENT = 85;
const PROFILE = process.env.BENCH_PROFILE as GatewayKind | undefined;
const PROFILE_DIR = '/tmp/fitnexa-bench-profiles';
const DATABASE_URL = process.env.DATABASE_URL;
const DEDUPLICATION = process.env.BENCH_DEDUP !== 'false';
const PIN = process.env.BENCH_PIN !== 'false';
const TRACING_RATIO = process.env.BENCH_TRACING_RATIO;
const BASELINE_ROOT = process.env.BENCH_BASELINE;
const BASELINE_NODE_ARGS =
  process.env.BENCH_BASELINE_NODE_OPTIONS === undefined
    ? GATEWAY_NODE_ARGS
    : process.env.BENCH_BASELINE_NODE_OPTIONS.split(' ').filter(Boolean);
/** The gateways run, in the order each round loads them. */
const KINDS: readonly GatewayKind[] = [
  ...GATEWAY_KINDS,
  ...(TRACING_RATIO ? [TRACED] : []),
  ...(BASELINE_ROOT ? [BASELINE] : []),
] as GatewayKind[];
/** Whose answers are the oracle's. */
const ORACLE: GatewayKind = 'apollo';

const LABELS: Record<GatewayKind, string> = {
  ours: 'ours (FitNexa)',
  apollo: 'plain Apollo',
  hive: 'Hive Gateway',
  'hive-router': 'Hive Gateway, router runtime',
  [TRACED]: `ours, traced ${TRACING_RATIO ?? ''}`,
  [BASELINE]: 'ours, baseline',
};

function workloadNames(value: string | undefined): WorkloadName[] {
  if (!value) return [...WORKLOAD_NAMES];
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(WORKLOAD_NAMES as readonly string[]).includes(name));
  if (unknown.length) {
    throw new Error(
      `BENCH_WORKLOAD: ${unknown.join(', ')}? One or more of ${WORKLOAD_NAMES.join(',')}`,
    );
  }
  return names as WorkloadName[];
}

interface Round extends RoundResult {
  /** GraphQL requests the subgraphs received during the round. */
  subgraphFetches: number;
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Gateway CPU ms per request; NaN without /proc. */
  cpuMsPerRequest: number;
  fetchesPerRequest: number;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** One round's gateway CPU ms per request (NaN without /proc). */
const cpuMsPerRequestOf = (round: Round) =>
  (1000 * (round.cpuSeconds.gateway ?? NaN)) / round.requests;

function summarise(rounds: Round[]): Summary {
  const requests = sum(rounds.map((round) => round.requests));
  const correct = sum(rounds.map((round) => round.correct));
  return {
    rps: median(rounds.map((round) => round.rps)),
    p50: median(rounds.map((round) => round.p50)),
    p99: median(rounds.map((round) => round.p99)),
    errors: sum(rounds.map((round) => round.errors)),
    cpuMsPerRequest:
      (1000 * sum(rounds.map((round) => round.cpuSeconds.gateway ?? NaN))) / requests,
    fetchesPerRequest: sum(rounds.map((round) => round.subgraphFetches)) / correct,
  };
}

function report(
  workload: Workload,
  rounds: Record<GatewayKind, Round[]>,
): Record<GatewayKind, Summary> {
  const summary = Object.fromEntries(
    KINDS.map((kind) => [kind, summarise(rounds[kind])]),
  ) as Record<GatewayKind, Summary>;
  const lines = [
    '',
    `### ${workload.name}: ${workload.description}`,
    '',
    '| gateway | req/s | × plain Apollo | p50 ms | p99 ms | gateway CPU ms/req | subgraph fetches/req | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...KINDS.map((kind) => {
      const { rps, p50, p99, errors, cpuMsPerRequest, fetchesPerRequest } = summary[kind];
      return (
        `| ${LABELS[kind]} | ${fixed(rps, 0)} | ${fixed(rps / summary[ORACLE].rps, 2)} | ` +
        `${fixed(p50, 1)} | ${fixed(p99, 1)} | ${fixed(cpuMsPerRequest, 2)} | ` +
        `${fixed(fetchesPerRequest, 1)} | ${errors} |`
      );
    }),
    '',
    'ours ÷ each peer: ' +
      KINDS.filter((kind) => kind !== 'ours')
        .map(
          (kind) =>
            `${LABELS[kind]} ${fixed(summary.ours.rps / summary[kind].rps, 2)}× req/s, ` +
            `${fixed(summary.ours.cpuMsPerRequest / summary[kind].cpuMsPerRequest, 2)}× CPU/req`,
        )
        .join(' · '),
    // Rounds of one gateway after another swing with the machine: the ratio within each round,
    // and their median, is steadier than the ratio of sums.
    'ours per core ÷ each peer, round by round (median): ' +
      KINDS.filter((kind) => kind !== 'ours')
        .map((kind) => {
          const ratios = rounds.ours.map((round, index) => {
            const peer = rounds[kind][index];
            return peer ? cpuMsPerRequestOf(peer) / cpuMsPerRequestOf(round) : NaN;
          });
          return `${LABELS[kind]} ${ratios.map((ratio) => fixed(ratio, 2)).join(', ')} (${fixed(median(ratios), 2)}×)`;
        })
        .join(' · '),
  ];
  if (KINDS.includes(TRACED)) {
    lines.push(
      `Tracing at ${TRACING_RATIO}: ${fixed((100 * summary[TRACED].rps) / summary.ours.rps, 1)} % ` +
        `of untraced ours' req/s, ${fixed((100 * summary[TRACED].cpuMsPerRequest) / summary.ours.cpuMsPerRequest, 1)} % ` +
        'of its gateway CPU per request',
    );
  }
  for (const kind of KINDS.filter((kind) => summary[kind].errors > 0)) {
    const statuses: Record<string, number> = {};
    for (const round of rounds[kind]) {
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
  // CPU from /proc: how busy each gateway was, and whether the subgraphs (one process, one
  // thread) were the limit rather than the gateway.
  const hasCpu = KINDS.every((kind) =>
    rounds[kind].every((round) => round.cpuSeconds.gateway !== undefined),
  );
  if (hasCpu) {
    const usage = Object.fromEntries(
      KINDS.map((kind) => {
        const seconds = sum(rounds[kind].map((round) => round.seconds));
        const percent = (name: string) =>
          (100 * sum(rounds[kind].map((round) => round.cpuSeconds[name] ?? NaN))) / seconds;
        return [
          kind,
          {
            gateway: percent('gateway'),
            subgraphs: percent('subgraphs'),
            load: percent('load'),
            // Sampled at slightly different moments: a tiny negative rest is zero.
            rest: Math.max(
              0,
              percent('machine') - percent('gateway') - percent('subgraphs') - percent('load'),
            ),
          },
        ];
      }),
    ) as Record<GatewayKind, Record<'gateway' | 'subgraphs' | 'load' | 'rest', number>>;
    lines.push(
      '',
      `CPU during the rounds (100 % = one of the ${cpus().length} CPUs):`,
      '',
      '| gateway | gateway CPU % | subgraphs CPU % | autocannon CPU % | rest of the machine CPU % |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...KINDS.map((kind) => {
        const { gateway, subgraphs, load, rest } = usage[kind];
        return (
          `| ${LABELS[kind]} | ${fixed(gateway, 0)} | ${fixed(subgraphs, 0)} | ` +
          `${fixed(load, 0)} | ${fixed(rest, 0)} |`
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
  console.log(lines.join('\n'));
  return summary;
}

/** All workloads in one markdown table, ready for docs/benchmarks.md. */
function docsTable(summaries: [Workload, Record<GatewayKind, Summary>][], setting: string) {
  const lines = [
    '',
    '## For the docs',
    '',
    '| workload | gateway | req/s | × plain Apollo | p50 ms | p99 ms | gateway CPU ms/req | subgraph fetches/req | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [workload, summary] of summaries) {
    for (const kind of KINDS) {
      const { rps, p50, p99, errors, cpuMsPerRequest, fetchesPerRequest } = summary[kind];
      lines.push(
        `| ${workload.name} | ${LABELS[kind]} | ${fixed(rps, 0)} | ` +
          `${fixed(rps / summary[ORACLE].rps, 2)} | ${fixed(p50, 1)} | ${fixed(p99, 1)} | ` +
          `${fixed(cpuMsPerRequest, 2)} | ${fixed(fetchesPerRequest, 1)} | ${errors} |`,
      );
    }
  }
  lines.push('', setting);
  console.log(lines.join('\n'));
}

async function subgraphRequests(countsUrl: string): Promise<number> {
  const counts = (await (await fetch(countsUrl)).json()) as SubgraphRequestCounts;
  return sum(Object.values(counts));
}

/**
 * Waits until the subgraphs have received no request for SETTLE_QUIET_MS (at most SETTLE_MAX_MS):
 * the requests a gateway still had in flight when its load stopped are done before the next
 * gateway's load starts, rather than sharing the subgraphs with its first seconds.
 */
async function settle(countsUrl: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let last = await subgraphRequests(countsUrl);
  while (Date.now() < deadline) {
    await sleep(SETTLE_QUIET_MS);
    const now = await subgraphRequests(countsUrl);
    if (now === last) return;
    last = now;
  }
}

async function main() {
  const { children, schemas, cleanUp } = startBenchRun(DATABASE_URL);
  const sink = TRACING_RATIO === undefined ? undefined : await startOtlpSink();

  try {
    if (sink) console.log(`Also ours traced at ratio ${TRACING_RATIO}, exporting to ${sink.url}`);
    if (PROFILE && !KINDS.includes(PROFILE)) {
      throw new Error(`BENCH_PROFILE must be one of ${KINDS.join(', ')}`);
    }
    const pinning = cpuPinning(cpus().length, !PIN);
    const pinned = pinning
      ? `each gateway pinned to CPU ${pinning.gateways}, subgraphs and autocannon to CPU ${pinning.rest} (taskset)`
      : `not pinned to CPUs (${PIN ? 'no taskset, or one CPU' : 'BENCH_PIN=false'})`;
    console.log(pinned);
    const dbKind = DATABASE_URL
      ? `PostgreSQL${process.env.REDIS_URL ? ' + Redis' : ' + in-process cache'}`
      : `embedded (PGlite${process.env.REDIS_URL ? ' + Redis' : ', in-process cache'})`;
    console.log(`Starting the subgraphs (${dbKind})…`);
    // Every gateway calls the subgraphs with a credential signed with this (one per run).
    const serviceTokenSecret = randomBytes(32).toString('hex');
    const subgraphs = await children.start<SubgraphsReady>('subgraphs', 'subgraphs.ts', {
      config: { schemas, serviceTokenSecret } satisfies SubgraphsConfig,
      cpus: pinning?.rest,
      // Migrations and the demo data take long on a busy machine.
      readyTimeoutMs: 600_000,
    });
    const config: GatewayConfig = {
      subgraphUrls: subgraphs.ready.subgraphs,
      jwksUrl: subgraphs.ready.jwksUrl,
      serviceTokenSecret,
      redisUrl: process.env.REDIS_URL,
      deduplication: DEDUPLICATION,
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
                // The baseline checkout's own gateway (it may predate the kind's name).
                args: [kind === BASELINE ? 'ours' : kind],
                root: kind === BASELINE ? BASELINE_ROOT : undefined,
                nodeArgs: [
                  // Ours runs as it is deployed; the peers with Node's defaults, as they ship.
                  ...(kind === 'ours' || kind === TRACED ? GATEWAY_NODE_ARGS : []),
                  ...(kind === BASELINE ? BASELINE_NODE_ARGS : []),
                  ...(kind === PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
                ],
                cpus: pinning?.gateways,
              }),
            ] as const,
        ),
      ),
    ) as Record<GatewayKind, RunningChild<GatewayReady>>;

    if (pinning) pinProcess(process.pid, pinning.rest);
    console.log('Seeding the benchmark members (bench/seed.ts)…');
    const data = await seedBenchData(gateways.ours.ready.url);
    // Squads learn of workouts over the bus: let the last events land before the oracle asks.
    await sleep(2000);
    const workloads = buildWorkloads(WORKLOADS, data);

    const summaries: [Workload, Record<GatewayKind, Summary>][] = [];
    for (const workload of workloads) {
      console.log(`\nWorkload ${workload.name}: ${workload.description}`);
      const oracle = [];
      for (const [index, request] of workload.requests.entries()) {
        oracle.push(
          validOracle(
            await ask(gateways[ORACLE].ready.url, request),
            `${workload.name} request ${index}`,
          ),
        );
      }
      const sizes = oracle.map((answer) => Buffer.byteLength(answer.text));
      console.log(
        `${workload.requests.length} distinct request(s); answers ${Math.min(...sizes)}` +
          (sizes.length > 1 ? `–${Math.max(...sizes)}` : '') +
          ' bytes',
      );
      const loads = {} as Record<GatewayKind, LoadRequest[]>;
      for (const kind of KINDS) {
        const { requests, differences } = await verifyAgainstOracle(
          gateways[kind].ready.url,
          workload.requests,
          oracle,
        );
        loads[kind] = requests;
        if (differences.length) {
          console.log(
            `${LABELS[kind]} differs from the oracle in ${differences.length} of ` +
              `${workload.requests.length} request(s) (each counts as an error under load), e.g. ` +
              differences.slice(0, 3).join('; '),
          );
        }
      }

      const rounds = Object.fromEntries(KINDS.map((kind) => [kind, []])) as unknown as Record<
        GatewayKind,
        Round[]
      >;
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const kind of KINDS) {
          const load = {
            url: gateways[kind].ready.url,
            requests: loads[kind],
            connections: CONNECTIONS,
          };
          if (round === 1) {
            await runLoad({ ...load, seconds: WARM_UP_SECONDS });
            await settle(subgraphs.ready.countsUrl);
          }
          const fetchesBefore = await subgraphRequests(subgraphs.ready.countsUrl);
          const result = await runLoad(
            { ...load, seconds: SECONDS },
            { gateway: gateways[kind].pid, subgraphs: subgraphs.pid },
          );
          const subgraphFetches =
            (await subgraphRequests(subgraphs.ready.countsUrl)) - fetchesBefore;
          await settle(subgraphs.ready.countsUrl);
          rounds[kind].push({ ...result, subgraphFetches });
          console.log(
            `${workload.name} round ${round}/${ROUNDS} ${LABELS[kind].padEnd(28)} ` +
              `${fixed(result.rps, 0).padStart(6)} req/s  p50 ${fixed(result.p50, 1)} ms  ` +
              `p99 ${fixed(result.p99, 1)} ms  ` +
              `${fixed((1000 * (result.cpuSeconds.gateway ?? NaN)) / result.requests, 2)} CPU ms/req  ` +
              `${fixed(subgraphFetches / result.correct, 1)} fetches/req  errors ${result.errors}`,
          );
        }
      }
      summaries.push([workload, report(workload, rounds)]);
    }

    const [cpu] = cpus();
    docsTable(
      summaries,
      `Node ${process.version} · ${cpus().length} CPUs${cpu ? ` (${cpu.model.trim()})` : ''} · ` +
        `${dbKind} · ${pinned} · ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds ` +
        `per gateway and workload after a ${WARM_UP_SECONDS} s warm-up · req/s (correct ` +
        'responses), p50 and p99: medians of the rounds · in-flight subgraph request ' +
        `deduplication (ours, Hive) ${DEDUPLICATION ? 'on' : 'off (BENCH_DEDUP=false)'}`,
    );
    if (sink) {
      const { spans, exports } = sink.counts();
      console.log(
        `\nTracing at ${TRACING_RATIO}: ${spans} spans exported in ${exports} OTLP requests.`,
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
