import { join } from 'node:path';
import { ConfigError, jwksUrl, loadConfig, port, serverEnv, url, z } from '@fitnexa/shared/config';

const schema = z.object({
  ...serverEnv,
  PORT: port.default(3000),
  /** Any composed supergraph file; the gateway fronts whatever graph it names. */
  SUPERGRAPH_PATH: z.string().default(join(__dirname, '..', '..', 'schema', 'supergraph.graphql')),
  JWKS_URL: jwksUrl,
});

export type GatewayConfig = z.infer<typeof schema> & {
  /** Routing URL overrides by subgraph name, from SUBGRAPH_URL_<NAME>. */
  subgraphUrls: Record<string, string>;
};

export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  const config = loadConfig('gateway', schema, env);
  const subgraphUrls = Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.startsWith('SUBGRAPH_URL_') && value)
      .map(([key, value]) => [key.slice('SUBGRAPH_URL_'.length).toLowerCase(), value as string]),
  );
  const invalid = Object.entries(subgraphUrls).filter(([, value]) => !url.safeParse(value).success);
  if (invalid.length) {
    throw new ConfigError(
      'gateway',
      invalid.map(([name]) => `SUBGRAPH_URL_${name.toUpperCase()}: Invalid URL`),
    );
  }
  return { ...config, subgraphUrls };
}
