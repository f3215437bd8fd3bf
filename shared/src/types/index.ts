export { ROLES } from './auth';
export type { Role, Principal, AccessTokenClaims, UserProfile } from './auth';
export type { EventEnvelope, FitnexaEventMap, FitnexaEventType, FitnexaEvent } from './events';
export type { PageInfo, Connection } from './pagination';
export { DEMO_GYM_IDS, DEMO_PASSWORD, DEMO_USERS } from './demo';
