import { Accounts, type AccountsDeps } from './accounts';
import { Directory } from './directory';

export interface UseCases {
  accounts: Accounts;
  directory: Directory;
}

/** The use cases over accounts: sign-up and sign-in, profiles, roles, and the admins' directory. */
export function createUseCases(deps: AccountsDeps): UseCases {
  return { accounts: new Accounts(deps), directory: new Directory(deps.users) };
}
