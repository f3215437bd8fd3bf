export { startGateway, type GatewayOptions, type GatewayServer } from './server';
export { loadGatewayConfig, type GatewayConfig } from './config';
export { composeSupergraph } from './compose';
export { subgraphsOf } from './subgraphs';
export { apiSchemaOf } from './api-schema';
