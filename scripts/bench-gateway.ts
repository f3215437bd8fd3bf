// npm run bench: how much the gateway adds to a request. Runs `{ me { id email } }` with a real
// token straight at identity and then through the gateway, and prints throughput and latency.
// Uses DATABASE_URL when set, an in-memory PGlite otherwise. Not a test: numbers vary by machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadIdentityConfig, startIdentity } from '@fitnexa/identity';
import { createFitnexaClient, memoryTokenStore } from '@fitnexa/shared/api';
import { createLogger } from '@fitnexa/shared/logger';
import { startGateway } from '@fitnexa/supergraph';

const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

async function measure(title: string, url: string, token: string) {
  const result = await autocannon({
    title,
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    workers: 1,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { id email } }' }),
  });
  const failed = result.non2xx + result.errors;
  console.log(
    `${title.padEnd(22)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   failed ${failed}`,
  );
  return result;
}

async function main() {
  const logger = createLogger({ service: 'bench', level: 'error' });
  const config = loadIdentityConfig({ DATA_DIR: 'memory://', ...process.env, LOG_LEVEL: 'error' });
  const identity = await startIdentity({ ...config, PORT: 0, logger });
  const gateway = await startGateway({
    supergraphSdl: readFileSync(join(__dirname, '..', 'schema', 'supergraph.graphql'), 'utf8'),
    subgraphUrls: { identity: identity.url },
    jwksUrl: identity.jwksUrl,
    port: 0,
    host: '127.0.0.1',
    logger,
  });
  try {
    const tokens = memoryTokenStore();
    await createFitnexaClient({ url: gateway.url, tokenStore: tokens }).register({
      email: `bench.${Date.now()}@example.test`,
      password: 'benchmark password 1',
      displayName: 'Bench',
    });
    const token = (await tokens.get())!.accessToken;
    console.log(
      `${CONNECTIONS} connections, ${DURATION_SECONDS}s each, ${config.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
    );
    const direct = await measure('identity directly', identity.url, token);
    const viaGateway = await measure('through the gateway', gateway.url, token);
    const overhead = viaGateway.latency.p50 - direct.latency.p50;
    console.log(`gateway overhead at p50: ${overhead.toFixed(1)} ms`);
  } finally {
    await gateway.stop();
    await identity.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
