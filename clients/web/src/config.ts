/** The gateway's GraphQL endpoint: VITE_GATEWAY_URL at build (or dev-server start), else local. */
export const GATEWAY_URL: string =
  (import.meta.env['VITE_GATEWAY_URL'] as string | undefined) ?? 'http://127.0.0.1:3000/graphql';
