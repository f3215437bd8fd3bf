import { jwksUrl, loadConfig, port, subgraphConfigSchema, z } from '@fitnexa/shared/config';

const schema = subgraphConfigSchema({
  PORT: port.default(4004),
  /** Where identity publishes the keys access tokens are verified with. */
  JWKS_URL: jwksUrl,
  /** Seed the demo member's squad, its challenge and feed when there is no squad (the embedded default does). */
  SEED_DEMO_DATA: z.stringbool().default(false),
});

export type SquadConfig = z.infer<typeof schema>;

export function loadSquadConfig(
  env: Record<string, string | undefined> = process.env,
): SquadConfig {
  return loadConfig('squad', schema, env);
}
