import { jwksUrl, loadConfig, port, subgraphConfigSchema, url, z } from '@fitnexa/shared/config';

const schema = subgraphConfigSchema({
  PORT: port.default(4005),
  /** Where identity publishes the keys access tokens are verified with. */
  JWKS_URL: jwksUrl,
  /** squad's GraphQL endpoint, asked whether a user is a member of a squad (for its group chat). */
  SQUAD_URL: url.default('http://127.0.0.1:4004/graphql'),
  /** Start a conversation between the demo member and the demo coach when there is none (the embedded default does). */
  SEED_DEMO_DATA: z.stringbool().default(false),
});

export type MessagingConfig = z.infer<typeof schema>;

export function loadMessagingConfig(
  env: Record<string, string | undefined> = process.env,
): MessagingConfig {
  return loadConfig('messaging', schema, env);
}
