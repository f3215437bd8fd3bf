export { type SubscriptionBounds } from './bounds';
export { createSubscriptionServer } from './server';
