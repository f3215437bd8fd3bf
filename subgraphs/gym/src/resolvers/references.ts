import type { GymContext } from '../context';
import type { GymClassRecord } from '../data/classes';
import type { GymRecord } from '../data/gyms';
import type { PlanRecord } from '../data/plans';

// The rows a stored row refers to; foreign keys guarantee they exist.

export async function gymOf(gymId: string, { loaders }: GymContext): Promise<GymRecord> {
  const gym = await loaders.gymById.load(gymId);
  if (!gym) throw new Error(`Gym ${gymId} is referenced but missing`);
  return gym;
}

export async function planOf(planId: string, { loaders }: GymContext): Promise<PlanRecord> {
  const plan = await loaders.planById.load(planId);
  if (!plan) throw new Error(`Membership plan ${planId} is referenced but missing`);
  return plan;
}

export async function classOf(classId: string, { loaders }: GymContext): Promise<GymClassRecord> {
  const gymClass = await loaders.classById.load(classId);
  if (!gymClass) throw new Error(`Class ${classId} is referenced but missing`);
  return gymClass;
}
