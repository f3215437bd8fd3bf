import { jwksUrl, loadConfig, port, subgraphConfigSchema, z } from '@fitnexa/shared/config';

const schema = subgraphConfigSchema({
  PORT: port.default(4003),
  JWKS_URL: jwksUrl,
  /** Give the demo member a few weeks of workouts when they have none (the embedded default does). */
  SEED_DEMO_DATA: z.stringbool().default(false),
});

export type WorkoutConfig = z.infer<typeof schema>;

export function loadWorkoutConfig(
  env: Record<string, string | undefined> = process.env,
): WorkoutConfig {
  return loadConfig('workout', schema, env);
}
