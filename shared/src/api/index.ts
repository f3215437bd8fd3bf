export { channel } from './channel';
export { createFitnexaClient } from './client';
export type { FetchFunction, FitnexaClient, FitnexaClientOptions } from './client';
export { FitnexaApiError } from './errors';
export type { GraphQLResponseError } from './errors';
export { operation } from './operation';
export type { TypedOperation, VariablesArgs } from './operation';
export { Login, Logout, Me, RefreshToken, Register, UpdateProfile } from './operations';
export type { AuthPayload, LoginInput, RegisterInput, UpdateProfileInput } from './operations';
export { memoryTokenStore } from './tokens';
export type { TokenStore, Tokens } from './tokens';
export { createFitnexaSubscriptions } from './subscriptions';
export type {
  FitnexaSubscriptions,
  FitnexaSubscriptionsOptions,
  SubscriptionHandlers,
} from './subscriptions';
