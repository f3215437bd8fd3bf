import { createEventOutbox } from '@fitnexa/shared/events';
import { UserInputError } from '@fitnexa/shared/errors';
import {
  dropServiceSchema,
  quietLogger,
  testDatabaseUrl,
  uniqueName,
} from '@fitnexa/shared/testing';
import { UserRepository } from '../src/data/users';
import { openIdentityDatabase } from '../src/db';
import { ensureAdmin } from '../src/domain/admins';
import { verifyPassword } from '../src/domain/passwords';

// The first administrator (create-admin) on identity's real database.

const url = testDatabaseUrl();
const schema = uniqueName('fitnexa_identity_admins');
let database: Awaited<ReturnType<typeof openIdentityDatabase>>;
let users: UserRepository;

beforeAll(async () => {
  database = await openIdentityDatabase({
    url,
    schema,
    dataDir: 'memory://',
    logger: quietLogger(),
  });
  users = new UserRepository(database.prisma, createEventOutbox('identity'));
});
afterAll(async () => {
  await database.close();
  await dropServiceSchema(url, schema);
});

describe('ensureAdmin', () => {
  it('when no account has the email, then it creates an administrator with that password, once', async () => {
    const input = { email: 'Root@Example.com', password: 'first-admin-1', displayName: 'Root' };
    const { user, outcome } = await ensureAdmin(users, input);
    expect(outcome).toBe('created');
    expect(user).toMatchObject({ email: 'root@example.com', role: 'ADMIN', displayName: 'Root' });
    const hash = await users.findPasswordHash(user.id);
    expect(await verifyPassword(hash!, 'first-admin-1')).toBe(true);

    const again = await ensureAdmin(users, input);
    expect(again).toEqual({ user, outcome: 'unchanged' });
    expect(await users.count()).toBe(1);
  });

  it('when a member has the email, then it promotes them and keeps their password', async () => {
    const member = await users.create({
      email: 'coach@example.com',
      displayName: 'Coach',
      passwordHash: 'kept-hash',
    });
    const { user, outcome } = await ensureAdmin(users, {
      email: 'coach@example.com',
      password: 'ignored-password-1',
      displayName: 'Ignored',
    });
    expect(outcome).toBe('promoted');
    expect(user).toMatchObject({ id: member.id, role: 'ADMIN', displayName: 'Coach' });
    expect(await users.findPasswordHash(member.id)).toBe('kept-hash');
  });

  it('when a new account would get a weak or no password, then it is refused and nothing is created', async () => {
    const before = await users.count();
    await expect(
      ensureAdmin(users, { email: 'weak@example.com', password: 'short', displayName: 'Weak' }),
    ).rejects.toThrow(UserInputError);
    await expect(
      ensureAdmin(users, { email: 'none@example.com', displayName: 'None' }),
    ).rejects.toThrow(/password/);
    expect(await users.count()).toBe(before);
  });
});
