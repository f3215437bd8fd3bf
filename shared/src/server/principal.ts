import type { Request } from 'express';
import { bearerToken, type AccessTokenVerifier } from '../auth';
import { AuthenticationError } from '../errors';

/** Verifies the request's bearer token; a bad one is a 401 before any resolver runs. */
export async function principalOf(req: Request, verify: AccessTokenVerifier) {
  try {
    const token = bearerToken(req.header('authorization'));
    return { accessToken: token, principal: token ? await verify(token) : null };
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new AuthenticationError(error.message).withHttpStatus(401);
    }
    throw error;
  }
}
