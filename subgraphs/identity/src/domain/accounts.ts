import { isPrismaError } from '@fitnexa/shared/db';
import { createHash, randomUUID } from 'node:crypto';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  parseInput,
  RateLimitedError,
  UserInputError,
} from '@fitnexa/shared/errors';
import type { RevocationStore } from '@fitnexa/shared/auth/revocations';
import type { Logger } from '@fitnexa/shared/logger';
import type { RateLimiter } from '@fitnexa/shared/rate-limit';
import type { Principal, Role } from '@fitnexa/shared/types';
import { z } from 'zod';
import type { RefreshTokenRepository } from '../data/refresh-tokens';
import type { UserRecord, UserRepository } from '../data/users';
import { hashPassword, spendPasswordCheck, verifyPassword } from './passwords';
import { hashRefreshToken, newRefreshToken, type TokenSigner } from './tokens';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'must be an email address' }).max(254));
const password = z
  .string()
  .min(10, 'must be at least 10 characters')
  // argon2 hashes whatever it is given; an unbounded password is a cheap way to burn CPU.
  .max(128, 'must be at most 128 characters')
  .regex(/[A-Za-z]/, 'must contain a letter')
  .regex(/[0-9]/, 'must contain a digit');
const displayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(60, 'must be at most 60 characters');

/** What a new account needs: sign-up's rules, and the first admin's (see admin-account.ts). */
export const registerInput = z.object({ email, password, displayName });
const loginInput = z.object({ email, password: z.string().min(1).max(128) });
const profileInput = z.object({ displayName: displayName.optional() });

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: UserRecord;
}

export interface AccountsDeps {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  signer: TokenSigner;
  refreshTokenTtlDays: number;
  /**
   * Sign-in attempts per email, allowed up to the number of failures tolerated in a window;
   * a successful sign-in starts the count again.
   */
  loginAttempts: RateLimiter;
  /** Where a user's earlier access tokens are revoked, read by every service. */
  revocations: RevocationStore;
  logger: Logger;
  now?: () => Date;
}

/** Identity's use cases: sign-up, sign-in, session rotation, profile and account lifecycle. */
export class Accounts {
  private readonly now: () => Date;

  constructor(private readonly deps: AccountsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async register(input: unknown, role: Role = 'MEMBER'): Promise<Session> {
    const data = parseInput(registerInput, input);
    const passwordHash = await hashPassword(data.password);
    let user: UserRecord;
    try {
      user = await this.deps.users.create({
        email: data.email,
        displayName: data.displayName,
        passwordHash,
        role,
      });
    } catch (error) {
      if (isPrismaError(error, 'P2002')) {
        throw new UserInputError('Invalid input: email: is already registered', [
          { field: 'email', message: 'is already registered' },
        ]);
      }
      throw error;
    }
    this.deps.logger.info('user registered', { userId: user.id });
    return this.startSession(user, randomUUID());
  }

  /**
   * Brute-force protection: every attempt is counted per email (registered or not, so refusals
   * say nothing about which emails exist) before its password is checked, so concurrent guesses
   * cannot slip past the limit; once over it, attempts are refused unchecked until the lockout
   * ends, the right password included.
   */
  async login(input: unknown): Promise<Session> {
    // The token's issue time is taken before the user is read: one signed with a role read before
    // a revocation is then never dated after it.
    const issuedAt = this.now();
    const data = parseInput(loginInput, input);
    // Hashed: the counters in Redis don't list who tried to sign in.
    const attemptsKey = `email:${createHash('sha256').update(data.email).digest('base64url')}`;
    const attempt = await this.deps.loginAttempts.consume(attemptsKey);
    if (!attempt.allowed) {
      this.deps.logger.warn('login refused: too many failed attempts', {
        retryAfterSeconds: attempt.retryAfterSeconds,
      });
      // No HTTP 429 (withHttpStatus): the gateway turns a subgraph's non-2xx into an opaque error.
      throw new RateLimitedError(attempt.retryAfterSeconds);
    }
    const user = await this.deps.users.findByEmailWithPassword(data.email);
    if (!user) {
      await spendPasswordCheck(data.password);
      throw new AuthenticationError('Email or password is incorrect');
    }
    if (!(await verifyPassword(user.passwordHash, data.password))) {
      this.deps.logger.warn('login failed', { userId: user.id });
      throw new AuthenticationError('Email or password is incorrect');
    }
    await this.deps.loginAttempts.reset(attemptsKey);
    const { passwordHash: _passwordHash, ...record } = user;
    return this.startSession(record, randomUUID(), issuedAt);
  }

  /**
   * Rotates a refresh token. A token that was already spent means it leaked (or a client raced
   * itself): the whole session is revoked, so whoever holds the newer tokens is signed out too.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const now = this.now();
    const record = await this.deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (!record || record.revokedAt || record.expiresAt <= now) {
      throw new AuthenticationError('Refresh token is not valid');
    }
    if (record.usedAt) {
      await this.deps.refreshTokens.revokeFamily(record.familyId, now);
      this.deps.logger.warn('refresh token reused; session revoked', {
        userId: record.userId,
        familyId: record.familyId,
      });
      throw new AuthenticationError('Refresh token was already used; the session has been revoked');
    }
    const [user] = await this.deps.users.findByIds([record.userId]);
    if (!user) throw new AuthenticationError('Refresh token is not valid');
    const next = newRefreshToken();
    const expiresAt = this.refreshExpiry(now);
    const rotated = await this.deps.refreshTokens.rotate(
      record.id,
      { familyId: record.familyId, userId: user.id, tokenHash: next.hash, expiresAt },
      now,
    );
    if (!rotated) {
      // Another request spent it between our read and our write: treat as reuse.
      await this.deps.refreshTokens.revokeFamily(record.familyId, now);
      throw new AuthenticationError('Refresh token was already used; the session has been revoked');
    }
    const access = await this.deps.signer.sign({ userId: user.id, role: user.role }, now);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: next.token,
      refreshTokenExpiresAt: expiresAt,
      user,
    };
  }

  /** Ends the session the refresh token belongs to; false when there was none to end. */
  async logout(refreshToken: string): Promise<boolean> {
    const record = await this.deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (!record || record.revokedAt) return false;
    return (await this.deps.refreshTokens.revokeFamily(record.familyId, this.now())) > 0;
  }

  async updateProfile(principal: Principal, input: unknown): Promise<UserRecord> {
    const data = parseInput(profileInput, input);
    if (!(await this.deps.users.exists(principal.userId))) throw new NotFoundError('User');
    return this.deps.users.update(principal.userId, data);
  }

  async deleteAccount(principal: Principal, password: string): Promise<boolean> {
    const hash = await this.deps.users.findPasswordHash(principal.userId);
    if (!hash) throw new NotFoundError('User');
    if (!(await verifyPassword(hash, password))) {
      throw new UserInputError('Invalid input: password: is incorrect', [
        { field: 'password', message: 'is incorrect' },
      ]);
    }
    await this.revokingTokens(principal.userId, () => this.deps.users.delete(principal.userId));
    this.deps.logger.info('user deleted', { userId: principal.userId });
    return true;
  }

  async setRole(principal: Principal, userId: string, role: Role): Promise<UserRecord> {
    if (principal.userId === userId) throw new ConflictError('Admins cannot change their own role');
    if (!(await this.deps.users.exists(userId))) throw new NotFoundError('User');
    return this.revokingTokens(userId, () => this.deps.users.update(userId, { role }));
  }

  /**
   * Runs `change` so that the user's access tokens issued before it are refused everywhere once
   * it answers. The revocation is written first: when the store cannot be written, the change is
   * not made (SERVICE_UNAVAILABLE), so no change is ever acknowledged that the other services
   * cannot learn of. It is written again after the change, for tokens signed meanwhile from the
   * user as it was (a refresh racing the change); their issue time precedes their read.
   */
  private async revokingTokens<T>(userId: string, change: () => Promise<T>): Promise<T> {
    await this.deps.revocations.revoke(userId, this.now().getTime());
    const result = await change();
    try {
      await this.deps.revocations.revoke(userId, this.now().getTime());
    } catch {
      // Logged by the store; the first revocation stands, only the race's tokens escape it.
    }
    this.deps.logger.info("user's earlier access tokens revoked", { userId });
    return result;
  }

  private async startSession(
    user: UserRecord,
    familyId: string,
    now = this.now(),
  ): Promise<Session> {
    const refresh = newRefreshToken();
    const refreshTokenExpiresAt = this.refreshExpiry(now);
    await this.deps.refreshTokens.create({
      familyId,
      userId: user.id,
      tokenHash: refresh.hash,
      expiresAt: refreshTokenExpiresAt,
    });
    const access = await this.deps.signer.sign({ userId: user.id, role: user.role }, now);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt,
      user,
    };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.deps.refreshTokenTtlDays * 86_400_000);
  }
}
