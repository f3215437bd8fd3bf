export {
  createSubscriptionServer,
  type SubscriptionServer,
  type SubscriptionServerOptions,
} from './server';
