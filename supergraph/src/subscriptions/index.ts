export { createSubscriptionServer, type SubscriptionBounds } from './server';
