import type { UserProfile } from '../types';
import { operation } from './operation';
import type { Tokens } from './tokens';

// Matches the identity subgraph's SDL (subgraphs/identity/schema.graphql); the tests execute every
// operation against that schema.

const USER_FIELDS = 'id email displayName role createdAt';

const AUTH_PAYLOAD_FIELDS = `accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { ${USER_FIELDS} }`;

export interface AuthPayload extends Tokens {
  user: UserProfile;
}

export interface RegisterInput {
  email: string;
  /** At least 10 characters, with at least one letter and one digit. */
  password: string;
  displayName: string;
}

export interface LoginInput {
  email: string;
  password: string;
}

export interface UpdateProfileInput {
  displayName?: string | null;
}

export const Register = operation<{ register: AuthPayload }, { input: RegisterInput }>(
  'Register',
  `mutation Register($input: RegisterInput!) { register(input: $input) { ${AUTH_PAYLOAD_FIELDS} } }`,
);

export const Login = operation<{ login: AuthPayload }, { input: LoginInput }>(
  'Login',
  `mutation Login($input: LoginInput!) { login(input: $input) { ${AUTH_PAYLOAD_FIELDS} } }`,
);

export const RefreshToken = operation<{ refreshToken: AuthPayload }, { refreshToken: string }>(
  'RefreshToken',
  `mutation RefreshToken($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { ${AUTH_PAYLOAD_FIELDS} } }`,
);

export const Logout = operation<{ logout: boolean }, { refreshToken: string }>(
  'Logout',
  'mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }',
);

export const Me = operation<{ me: UserProfile }>('Me', `query Me { me { ${USER_FIELDS} } }`);

export const UpdateProfile = operation<
  { updateProfile: UserProfile },
  { input: UpdateProfileInput }
>(
  'UpdateProfile',
  `mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { ${USER_FIELDS} } }`,
);
