// npm run bench:revocation: how long after deleteAccount or setUserRole answers the gateway and
// each subgraph refuse the user's earlier access token.
//
// How: the whole graph in this process (scripts/lib/graph.ts) on DATABASE_URL and REDIS_URL (this
// machine's PostgreSQL and Redis by default), in schemas of its own that are dropped afterwards,
// with an in-process bus (revocation does not go through the broker). For each of BENCH_USERS
// (default 50) fresh members per case: the member's token is used once at the gateway and at every
// subgraph (so each reader has just read "not revoked", the worst case for its cache); then the
// member deletes their account, or the demo admin changes their role; from the mutation's answer
// on, one poller per target (the gateway, and each subgraph directly) sends `{ __typename }` with
// the old token back to back until it is refused with UNAUTHENTICATED. The "gateway restart"
// cases stop the gateway right after the answer and start a new one in this process before it is
// polled (so its latency includes the restart); subgraphs are polled meanwhile.
//
// Reported per case and target: p50, p99 and max of the time from the answer to the first refusal
// (on this process's clock; the resolution is one round trip of the poll), and how many were not
// refused within 5 s. A measurement, not a test: exits 0 whatever the numbers.
import { randomUUID } from 'node:crypto';
import { createMemoryBus } from '@fitnexa/shared/bus';
import {
  codeOf,
  dropServiceSchema,
  type GraphQLCall,
  graphqlClient,
  quietLogger,
  TEST_SERVICE_TOKEN_SECRET,
  testDatabaseUrl,
  testRedisUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { SUBGRAPH_NAMES, startLocalGraph, type LocalGraph, type SubgraphName } from './lib/graph';

const USERS = Number(process.env.BENCH_USERS ?? 50);
const GIVE_UP_MS = 5_000;
const DATABASE_URL = process.env.DATABASE_URL ?? testDatabaseUrl();
const REDIS_URL = process.env.REDIS_URL ?? testRedisUrl();

type Target = SubgraphName | 'gateway';
const TARGETS: Target[] = ['gateway', ...SUBGRAPH_NAMES];

async function data<T>(url: string, query: string, variables: object, token?: string) {
  const result = await graphqlClient(url)(query, { ...variables }, token);
  if (!result.data || result.errors) throw new Error(`${url}: ${JSON.stringify(result.errors)}`);
  return result.data as T;
}

/** A client of the target: the gateway as any client, a subgraph as the gateway calls it. */
function clientOf(graph: LocalGraph, target: Target) {
  return target === 'gateway'
    ? graphqlClient(graph.gateway.url)
    : graphqlClient(graph.subgraphs[target].url, { service: target });
}

async function newMember(gatewayUrl: string) {
  const password = 'bench password 42';
  const { register } = await data<{ register: { accessToken: string; user: { id: string } } }>(
    gatewayUrl,
    'mutation R($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
    {
      input: { email: `bench.${randomUUID()}@example.test`, password, displayName: 'Bench' },
    },
  );
  return { id: register.user.id, token: register.accessToken, password };
}

/**
 * Sends `{ __typename }` with the token until refused: ms from `since` and from when the target
 * was `ready` (its restart), or null after GIVE_UP_MS.
 */
async function untilRefused(
  client: () => GraphQLCall,
  token: string,
  since: number,
  ready?: Promise<void>,
) {
  await ready;
  const readyAt = performance.now();
  for (;;) {
    const result = await client()('{ __typename }', {}, token).catch(() => undefined);
    const at = performance.now();
    if (result && codeOf(result) === 'UNAUTHENTICATED') {
      return { sinceAnswer: at - since, sinceReady: at - readyAt };
    }
    if (at - since > GIVE_UP_MS) return null;
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
    : NaN;

async function runCase(
  graph: LocalGraph,
  adminToken: string,
  kind: 'deleteAccount' | 'setUserRole',
  restartGateway: boolean,
) {
  const samples: Record<Target, number[]> = Object.fromEntries(
    TARGETS.map((t) => [t, []]),
  ) as never;
  const sinceRestart: number[] = [];
  const lost: Record<Target, number> = Object.fromEntries(TARGETS.map((t) => [t, 0])) as never;
  for (let index = 0; index < USERS; index += 1) {
    const member = await newMember(graph.gateway.url);
    for (const target of TARGETS) {
      const warm = await clientOf(graph, target)('{ __typename }', {}, member.token);
      if (warm.errors) throw new Error(`${target} refused a fresh token: ${JSON.stringify(warm)}`);
    }
    if (kind === 'deleteAccount') {
      await data(
        graph.gateway.url,
        'mutation D($p: String!) { deleteAccount(password: $p) }',
        { p: member.password },
        member.token,
      );
    } else {
      await data(
        graph.gateway.url,
        'mutation R($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { id } }',
        { id: member.id, role: index % 2 ? 'COACH' : 'GYM_OWNER' },
        adminToken,
      );
    }
    const answered = performance.now();
    const restarted = restartGateway ? graph.restartGateway() : undefined;
    const results = await Promise.all(
      TARGETS.map((target) =>
        untilRefused(
          () => clientOf(graph, target),
          member.token,
          answered,
          target === 'gateway' ? restarted : undefined,
        ),
      ),
    );
    TARGETS.forEach((target, i) => {
      const refused = results[i];
      if (!refused) lost[target] += 1;
      else samples[target].push(refused.sinceAnswer);
      if (refused && target === 'gateway' && restartGateway) sinceRestart.push(refused.sinceReady);
    });
  }
  const name = `${kind}${restartGateway ? ' + gateway restart' : ''}`;
  console.log(`\n${name} (${USERS} users): ms from the answer until refused`);
  console.log('target          p50      p99      max   not refused in 5 s');
  const row = (label: string, values: number[], notRefused: number | string) => {
    const sorted = [...values].sort((a, b) => a - b);
    const cell = (n: number) => n.toFixed(1).padStart(8);
    console.log(
      `${label.padEnd(13)} ${cell(percentile(sorted, 50))} ${cell(percentile(sorted, 99))} ${cell(sorted.at(-1) ?? NaN)}   ${notRefused}`,
    );
  };
  for (const target of TARGETS) row(target, samples[target], lost[target]);
  // The restart runs in this process too (composing the supergraph blocks it), so the subgraphs'
  // figures above include that wait; this one is the new gateway's own.
  if (restartGateway) {
    row('new gateway*', sinceRestart, '');
    console.log('* ms from the new gateway being up (its restart ends) until refused');
  }
}

async function main() {
  const schemas = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, uniqueName(`bench_${name}`)]),
  ) as Record<SubgraphName, string>;
  const bus = createMemoryBus();
  const graph = await startLocalGraph({
    env: {
      DATABASE_URL,
      REDIS_URL,
      DATA_DIR: 'memory://',
      SEED_DEMO_DATA: 'true',
      RATE_LIMIT_PER_IP_PER_MINUTE: '0',
      RATE_LIMIT_PER_USER_PER_MINUTE: '0',
      // The secret the test kit's clients sign the gateway's credential with (direct calls).
      SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
    },
    ports: { gateway: 0, ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, 0])) },
    schemas,
    logger: (service) => quietLogger(service),
    bus,
  });
  try {
    console.log(
      `bench:revocation on PostgreSQL ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')} and Redis ${REDIS_URL}`,
    );
    const login = async () =>
      (
        await data<{ login: { accessToken: string } }>(
          graph.gateway.url,
          'mutation L($input: LoginInput!) { login(input: $input) { accessToken } }',
          { input: { email: DEMO_USERS.admin.email, password: DEMO_PASSWORD } },
        )
      ).login.accessToken;
    const admin = await login();
    for (const restart of [false, true]) {
      await runCase(graph, admin, 'deleteAccount', restart);
      await runCase(graph, admin, 'setUserRole', restart);
    }
  } finally {
    await graph.stop();
    await bus.close();
    await Promise.all(
      Object.values(schemas).map((schema) => dropServiceSchema(DATABASE_URL, schema)),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
