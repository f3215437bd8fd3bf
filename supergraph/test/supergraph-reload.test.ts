import { mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { testTokenIssuer } from '@fitnexa/shared/testing';
import { eventually } from '@fitnexa/shared/testing/realtime';
import { parse, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket, type WebSocketServer } from 'ws';
import YAML from 'yaml';
import type { GatewayServer } from '../src';
import { supergraphFile } from '../src/supergraph-updates';
import { everySubgraphAt, serveStubSubscriptions, startTestGateway } from './kit';

// The gateway over a supergraph file laid out as Kubernetes mounts a ConfigMap (the file a symlink
// through `..data`, swapped atomically), in front of one stub standing in for every subgraph: its
// HTTP side answers the probe field, its graphql-ws side hands upstream subscriptions to the test.

const ROVER = join(__dirname, '..', '..', 'rover.yaml');

/** The project's supergraph, composed with `extraGymTypeDefs` added to gym's schema. */
function supergraphWith(extraGymTypeDefs = ''): string {
  const config = YAML.parse(readFileSync(ROVER, 'utf8')) as {
    subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
  };
  const result = composeServices(
    Object.entries(config.subgraphs).map(([name, subgraph]) => ({
      name,
      url: subgraph.routing_url,
      typeDefs: parse(
        readFileSync(resolve(dirname(ROVER), subgraph.schema.file), 'utf8') +
          (name === 'gym' ? extraGymTypeDefs : ''),
      ),
    })),
  );
  if (!result.supergraphSdl) throw new Error('composition failed');
  return result.supergraphSdl;
}

const WITHOUT_PROBE = supergraphWith();
const WITH_PROBE = supergraphWith('\nextend type Query { reloadProbe: String }\n');

/** A ConfigMap volume: `<dir>/supergraph.graphql` → `..data/supergraph.graphql`, `..data` → a version. */
function configMapVolume(initial: string) {
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
  let version = 0;
  const write = (content: string) => {
    const versionDir = mkdtempSync(join(dir, `..${++version}_`));
    writeFileSync(join(versionDir, 'supergraph.graphql'), content);
    symlinkSync(versionDir, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  write(initial);
  symlinkSync('..data/supergraph.graphql', join(dir, 'supergraph.graphql'));
  return {
    path: join(dir, 'supergraph.graphql'),
    write,
    remove: () => rmSync(dir, { recursive: true }),
  };
}

interface Upstream {
  push(result: ExecutionResult): void;
}

let stub: Server;
let stubWs: WebSocketServer;
let stubUrl: string;
let upstreams: Upstream[] = [];
let token: string;
let issuer: Awaited<ReturnType<typeof testTokenIssuer>>;

/** The stub's graphql-ws: every subscription stays open, fed by the test through `push`. */
function upstreamSubscription(_args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
  const pending: ExecutionResult[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  upstreams.push({
    push(result) {
      pending.push(result);
      wake?.();
    },
  });
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      while (!pending.length && !closed) await new Promise<void>((r) => (wake = r));
      return closed ? { done: true, value: undefined } : { done: false, value: pending.shift()! };
    },
    async return() {
      closed = true;
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

beforeAll(async () => {
  stub = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { reloadProbe: 'served' } }));
    });
  });
  ({ url: stubUrl, wss: stubWs } = await serveStubSubscriptions(stub, upstreamSubscription));
  issuer = await testTokenIssuer();
  token = await issuer.tokenFor({ userId: crypto.randomUUID(), role: 'MEMBER' });
});
afterAll(async () => {
  for (const socket of stubWs.clients) socket.terminate();
  await new Promise<void>((done) => stubWs.close(() => done()));
  await new Promise<void>((done) => stub.close(() => done()));
});

const started: { gateway: GatewayServer; volume: ReturnType<typeof configMapVolume> }[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  for (const { gateway, volume } of started.splice(0)) {
    await gateway.stop();
    volume.remove();
  }
  upstreams = [];
});

async function gatewayOver(initial: string) {
  const volume = configMapVolume(initial);
  const gateway = await startTestGateway({
    supergraphSdl: readFileSync(volume.path, 'utf8'),
    supergraphUpdates: { read: supergraphFile(volume.path), intervalMs: 20 },
    subgraphUrls: everySubgraphAt(stubUrl),
    verifyAccessToken: issuer.verify,
    rateLimits: false,
  });
  started.push({ gateway, volume });
  return { gateway, volume };
}

async function probe(gateway: GatewayServer) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ reloadProbe }' }),
  });
  return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
}

/** Waits (bounded) until `check` holds of what `read` gives. */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

const refusedCount = async (gateway: GatewayServer) => {
  const text = await (await fetch(new URL('/metrics', gateway.url))).text();
  return Number(
    /gateway_supergraph_updates_total\{result="refused"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
  );
};

describe('supergraph reload without a restart', () => {
  it('when the supergraph file changes to one with a new field, then the field becomes queryable', async () => {
    const { gateway, volume } = await gatewayOver(WITHOUT_PROBE);
    expect((await probe(gateway)).errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    volume.write(WITH_PROBE);

    await until(
      () => probe(gateway),
      (result) => !result.errors,
      'the new field',
    );
    expect(await probe(gateway)).toEqual({ data: { reloadProbe: 'served' } });
  });

  it.each([
    ['not GraphQL', 'this is { not a supergraph'],
    ['a schema without federation', 'type Query { reloadProbe: String }'],
    [
      'a supergraph that fails validation',
      WITH_PROBE.replace(/@join__graph\(name: "gym"[^)]*\)/, ''),
    ],
  ])(
    'when the new file is %s, then it is refused, counted, and the old graph keeps serving',
    async (_what, broken) => {
      const { gateway, volume } = await gatewayOver(WITH_PROBE);

      volume.write(broken);

      await until(
        () => refusedCount(gateway),
        (count) => count === 1,
        'the refusal',
      );
      expect(await probe(gateway)).toEqual({ data: { reloadProbe: 'served' } });
    },
  );

  it('when the supergraph changes under an open subscription, then it keeps receiving, and new subscriptions plan on the new graph', async () => {
    const { gateway, volume } = await gatewayOver(WITHOUT_PROBE);
    const client = createClient({
      url: gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const received: ExecutionResult[] = [];
    client.subscribe(
      {
        query: 'subscription L($id: ID!) { challengeLeaderboard(challengeId: $id) { rank } }',
        variables: { id: 'c1' },
      },
      {
        next: (result) => received.push(result as ExecutionResult),
        error: () => {},
        complete: () => {},
      },
    );
    await eventually(() => upstreams.length === 1, 'the upstream subscription');
    const event = { data: { challengeLeaderboard: [{ rank: 1 }] } };
    upstreams[0]!.push(event);
    await eventually(() => received.length === 1, 'the first event');

    volume.write(WITH_PROBE);
    await until(
      () => probe(gateway),
      (result) => !result.errors,
      'the new graph',
    );
    upstreams[0]!.push(event);

    await eventually(() => received.length === 2, 'the event after the reload');
    expect(received).toEqual([event, event]);
    // The same subscription, opened now, is planned on the new graph: an upstream of its own.
    client.subscribe(
      {
        query: 'subscription L($id: ID!) { challengeLeaderboard(challengeId: $id) { rank } }',
        variables: { id: 'c1' },
      },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    await eventually(() => upstreams.length === 2, 'a subscription on the new graph');
  });
});
