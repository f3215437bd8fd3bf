export { createFitnexaClient } from './client.js';
export type { FetchFunction, FitnexaClient, FitnexaClientOptions } from './client.js';
export { errorCodeOf, graphQLErrorsOf } from './errors.js';
export { RefreshRefused } from './session.js';
export type { RefreshTokens, Session } from './session.js';
export { memoryTokenStore } from './tokens.js';
export type { TokenStore, Tokens } from './tokens.js';
export * from './generated/graphql.js';
