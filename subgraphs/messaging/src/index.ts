export { startMessaging, typeDefs, type MessagingOptions, type MessagingServer } from './server';
export { loadMessagingConfig, type MessagingConfig } from './config';
export { migrationsDir } from './db';
export { HttpSquadMembership, type SquadMembership } from './data/squad-membership';
