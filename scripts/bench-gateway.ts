// npm run bench: what the gateway adds to a request, and what the member dashboard (identity + gym +
// workout in one query) costs. Starts the whole graph with the demo data — on DATABASE_URL and
// REDIS_URL in schemas of its own (dropped afterwards) when set, embedded otherwise — logs in as
// the demo member, and runs each query for a while with autocannon. Not a test: numbers vary by
// machine.
import autocannon from 'autocannon';
import { dropServiceSchema, uniqueName } from '@fitnexa/shared/testing';
import { createLogger } from '@fitnexa/shared/logger';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { SUBGRAPH_NAMES, startLocalGraph, type SubgraphName } from './lib/graph';

const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DATABASE_URL = process.env.DATABASE_URL;

const ME = '{ me { id email } }';
const DASHBOARD = `query Dashboard($from: DateTime!, $to: DateTime!) {
  me {
    displayName
    memberships(status: ACTIVE) { status gym { name } plan { name } }
    bookedClasses(from: $from, to: $to) { status class { title startsAt gym { name } coach { displayName } } }
    workoutSessions(first: 5) { edges { node { startedAt gym { name } sets { reps weightKg exercise { name } } } } }
    personalRecords { kind value exercise { name } }
  }
}`;

async function measure(title: string, url: string, token: string, body: unknown) {
  // Warm-up: connections, query plans and caches, as in steady state.
  await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: 2,
    workers: 1,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const result = await autocannon({
    title,
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    workers: 1,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const failed = result.non2xx + result.errors;
  console.log(
    `${title.padEnd(32)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   failed ${failed}`,
  );
  return result;
}

async function main() {
  const logger = () => createLogger({ service: 'bench', level: 'error' });
  const schemas = DATABASE_URL
    ? (Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [name, uniqueName(`fitnexa_${name}`)]),
      ) as Record<SubgraphName, string>)
    : undefined;
  const graph = await startLocalGraph({
    env: { DATA_DIR: 'memory://', ...process.env, SEED_DEMO_DATA: 'true', LOG_LEVEL: 'error' },
    ports: { gateway: 0, identity: 0, gym: 0, workout: 0 },
    schemas,
    logger,
  });
  try {
    const login = await fetch(graph.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation L($input: LoginInput!) { login(input: $input) { accessToken } }',
        variables: { input: { email: DEMO_USERS.member.email, password: DEMO_PASSWORD } },
      }),
    });
    const body = (await login.json()) as { data: { login: { accessToken: string } } };
    const token = body.data.login.accessToken;
    const week = {
      from: new Date().toISOString(),
      to: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    };
    console.log(
      `${CONNECTIONS} connections, ${DURATION_SECONDS}s each after a 2s warm-up, ${DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, ${process.env.REDIS_URL ? 'Redis' : 'in-process cache'}`,
    );
    const direct = await measure('me: identity directly', graph.subgraphs.identity.url, token, {
      query: ME,
    });
    const viaGateway = await measure('me: through the gateway', graph.gateway.url, token, {
      query: ME,
    });
    console.log(
      `gateway overhead at p50: ${(viaGateway.latency.p50 - direct.latency.p50).toFixed(1)} ms`,
    );
    await measure('dashboard: through the gateway', graph.gateway.url, token, {
      query: DASHBOARD,
      variables: week,
    });
  } finally {
    await graph.stop();
    if (DATABASE_URL && schemas) {
      await Promise.all(
        Object.values(schemas).map((schema) => dropServiceSchema(DATABASE_URL, schema)),
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
