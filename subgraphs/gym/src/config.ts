import { jwksUrl, loadConfig, port, subgraphConfigSchema, z } from '@fitnexa/shared/config';

const schema = subgraphConfigSchema({
  PORT: port.default(4002),
  /** Where identity publishes the keys access tokens are verified with. */
  JWKS_URL: jwksUrl,
  /** Seed demo gyms, classes and the demo member's membership when there are no gyms (the embedded default does). */
  SEED_DEMO_DATA: z.stringbool().default(false),
});

export type GymConfig = z.infer<typeof schema>;

export function loadGymConfig(env: Record<string, string | undefined> = process.env): GymConfig {
  return loadConfig('gym', schema, env);
}
