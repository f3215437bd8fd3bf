// Benchmark child: one gateway (`ours`, `apollo`, `hive` or `hive-router`, the first argument) in a process of
// its own — one Node thread, like one worker — routing to the subgraphs in its configuration.
import { serveAllocationSampling } from './allocations';
import { runChild } from './child';
import {
  childConfig,
  GATEWAY_KINDS,
  TRACED,
  supergraphRoutedTo,
  type GatewayConfig,
  type GatewayKind,
  type GatewayReady,
  type StartedGateway,
  type BASELINE,
} from './protocol';

type Starter = (supergraphSdl: string, config: GatewayConfig) => Promise<StartedGateway>;

// Each child loads only its own gateway's modules.
// (The baseline is another checkout's `ours`, started by its own copy of this file.)
const starters: Record<Exclude<GatewayKind, typeof BASELINE>, () => Promise<Starter>> = {
  ours: async () => (await import('./gateways/ours.js')).startOurs,
  apollo: async () => (await import('./gateways/apollo.js')).startPlainApollo,
  hive: async () => (await import('./gateways/hive.js')).startHive,
  'hive-router': async () => (await import('./gateways/hive-router.js')).startHiveRouter,
  [TRACED]: async () => (await import('./gateways/ours.js')).startOurs,
};

const kind = process.argv[2] as keyof typeof starters;
const kinds: readonly (keyof typeof starters)[] = [...GATEWAY_KINDS, TRACED];
if (!kinds.includes(kind)) {
  console.error(`Usage: gateway.ts <${kinds.join('|')}>`);
  process.exit(2);
}

runChild<GatewayReady>(kind, async () => {
  const config = childConfig<GatewayConfig>();
  // The traced one starts tracing from the standard variables before its modules load, as every
  // server's main.ts does.
  if (kind === TRACED && config.tracing) {
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: config.tracing.endpoint,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: config.tracing.ratio,
    });
    await import('@fitnexa/shared/telemetry/register');
  }
  const start = await starters[kind]();
  const gateway = await start(supergraphRoutedTo(config.subgraphUrls), config);
  const allocations = config.allocationsDir
    ? await serveAllocationSampling(config.allocationsDir, kind)
    : undefined;
  return {
    ready: { url: gateway.url, allocationsUrl: allocations?.url },
    stop: async () => {
      await allocations?.close();
      await gateway.stop();
    },
  };
});
