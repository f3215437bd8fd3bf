export {
  createSubscriptionServer,
  DEFAULT_SUBSCRIPTION_BOUNDS,
  type SubscriptionBounds,
  type SubscriptionServer,
  type SubscriptionServerOptions,
} from './server';
