import type { Role } from './auth';

/**
 * The embedded default's demo accounts. Their ids are fixed so every subgraph's demo data can
 * refer to them without reading identity's tables. Never seeded in production.
 */
export const DEMO_PASSWORD = 'fitnexa-demo-1';
export const DEMO_USERS = {
  member: {
    id: '0b7e5c1a-5d2f-4c1e-9a51-000000000001',
    email: 'member@fitnexa.dev',
    displayName: 'Maya Member',
    role: 'MEMBER',
  },
  coach: {
    id: '0b7e5c1a-5d2f-4c1e-9a51-000000000002',
    email: 'coach@fitnexa.dev',
    displayName: 'Carlos Coach',
    role: 'COACH',
  },
  owner: {
    id: '0b7e5c1a-5d2f-4c1e-9a51-000000000003',
    email: 'owner@fitnexa.dev',
    displayName: 'Olivia Owner',
    role: 'GYM_OWNER',
  },
  admin: {
    id: '0b7e5c1a-5d2f-4c1e-9a51-000000000004',
    email: 'admin@fitnexa.dev',
    displayName: 'Adam Admin',
    role: 'ADMIN',
  },
} as const satisfies Record<string, { id: string; email: string; displayName: string; role: Role }>;

/**
 * The embedded default's demo gyms (seeded by gym), fixed for the same reason: the demo member's
 * workouts (seeded by workout) took place at the first.
 */
export const DEMO_GYM_IDS = {
  home: '0b7e5c1a-5d2f-4c1e-9a52-000000000001',
  second: '0b7e5c1a-5d2f-4c1e-9a52-000000000002',
  third: '0b7e5c1a-5d2f-4c1e-9a52-000000000003',
} as const;
