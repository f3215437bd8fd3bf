import { parseInput } from '@fitnexa/shared/errors';
import { z } from 'zod';
import type { UserRecord, UserRepository } from '../data/users';
import { registerInput } from './accounts';
import { hashPassword } from './passwords';

const existingAccount = z.object({ email: registerInput.shape.email });

/**
 * Makes the account with `email` an administrator: creates it (sign-up's rules for the email,
 * password and name) or, when it exists, promotes it and leaves its password alone. Run again, it
 * changes nothing.
 */
export async function ensureAdmin(
  users: UserRepository,
  input: { email: string; password?: string; displayName: string },
): Promise<{ user: UserRecord; outcome: 'created' | 'promoted' | 'unchanged' }> {
  const { email } = parseInput(existingAccount, input);
  const existing = await users.findByEmailWithPassword(email);
  if (existing) {
    if (existing.role === 'ADMIN') {
      const { passwordHash: _passwordHash, ...user } = existing;
      return { user, outcome: 'unchanged' };
    }
    return { user: await users.update(existing.id, { role: 'ADMIN' }), outcome: 'promoted' };
  }
  const data = parseInput(registerInput, input);
  const passwordHash = await hashPassword(data.password);
  const user = await users.create({
    email: data.email,
    displayName: data.displayName,
    passwordHash,
    role: 'ADMIN',
  });
  return { user, outcome: 'created' };
}
