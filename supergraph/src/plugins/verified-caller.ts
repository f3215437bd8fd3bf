import { createAccessTokenVerifier, type AccessTokenVerifier } from '@fitnexa/shared/auth';
import {
  revocationStoreOf,
  refusingRevokedTokens,
  type RevocationStore,
} from '@fitnexa/shared/auth/revocations';
import type { Logger } from '@fitnexa/shared/logger';
import { correlationIdOf } from '@fitnexa/shared/middleware';
import { principalOf } from '@fitnexa/shared/server';
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context';

export interface VerifiedCallerOptions {
  jwksUrl?: string;
  verifyAccessToken?: AccessTokenVerifier;
  /** Where the revocations are when the caller gives none: the gateway's own store on it. */
  redisUrl?: string;
  /** The caller's revocation store, the caller's to close. */
  revocations?: RevocationStore;
  logger: Logger;
}

/**
 * Who is calling: the bearer token verified (signature, then the user's revocations) once per
 * request, by whichever asks first (the rate limit or the operation's context).
 */
export async function verifiedCaller(options: VerifiedCallerOptions) {
  const { logger } = options;
  // Read per request from the store, so a gateway started after a revocation refuses too.
  const revocations = await revocationStoreOf(options.revocations, {
    url: options.redisUrl,
    logger,
  });
  const verify = refusingRevokedTokens(
    options.verifyAccessToken ??
      createAccessTokenVerifier({ jwksUrl: required(options.jwksUrl, 'jwksUrl') }),
    revocations,
    { logger },
  );
  const principals = new WeakMap<Request, ReturnType<typeof principalOf>>();
  const principalOnce = (req: Request) => {
    let found = principals.get(req);
    if (!found) principals.set(req, (found = principalOf(req, verify)));
    return found;
  };
  return {
    /** For graphql-ws connections, which verify their own token. */
    verify,
    revocations,
    principalOf: principalOnce,
    /** The operation's context: the verified caller and the request's correlation id. */
    contextOf: async (req: Request, res: Response): Promise<GatewayContext> => ({
      ...(await principalOnce(req)),
      correlationId: correlationIdOf(res),
    }),
    async close() {
      await revocations.close();
    },
  };
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`startGateway needs ${name}`);
  return value;
}
