import type { Server } from 'node:http';
import {
  ApolloServer,
  type ApolloServerOptionsWithGateway,
  type ApolloServerOptionsWithSchema,
  type ApolloServerPlugin,
  type BaseContext,
} from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createErrorFormatter } from '../errors';
import { refuseNulCharacters, refuseUnrunnableOperations, type AppliedLimits } from '../limits';
import type { Logger } from '../logger/types';
import { tracingPlugin } from '../telemetry/graphql';

/** What every FitNexa Apollo Server is built from, besides its schema (or gateway). */
export interface ApolloSetup<TContext extends BaseContext> {
  /** Drained on stop: requests in flight finish before Apollo stops. */
  httpServer: Server;
  logger: Logger;
  /** The server's operation limits (see @fitnexa/shared/limits). */
  limits: AppliedLimits;
  /** No introspection in production. */
  production: boolean;
  /** The server's own plugins, after the limits and refusals every server has. */
  plugins: ApolloServerPlugin<TContext>[];
}

/**
 * The Apollo Server of every FitNexa server (gateway and subgraphs): errors through our formatter
 * without stack traces, CSRF prevention, the operation limits, Apollo's log through our logger.
 */
export function createApolloServer<TContext extends BaseContext>(
  { httpServer, logger, limits, production, plugins }: ApolloSetup<TContext>,
  /** A subgraph's schema or the gateway, with the options only that server sets (not plugins). */
  graph: ApolloServerOptionsWithSchema<TContext> | ApolloServerOptionsWithGateway<TContext>,
): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    introspection: !production,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    // Shutdown is ours (stopOnSignals): Apollo's own handler re-raises the signal and kills the
    // process before the database and the other servers are closed.
    stopOnTerminationSignals: false,
    logger: {
      debug: (message) => logger.debug(String(message)),
      info: (message) => logger.info(String(message)),
      warn: (message) => logger.warn(String(message)),
      error: (message) => logger.error(String(message)),
    },
    ...graph,
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<TContext>[]),
      refuseUnrunnableOperations() as ApolloServerPlugin<TContext>,
      refuseNulCharacters() as ApolloServerPlugin<TContext>,
      tracingPlugin<TContext>(),
      ...plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
    ],
  });
}
