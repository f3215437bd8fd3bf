/**
 * The integer in environment variable `name` (`fallback` when unset), at least `least` (1 unless
 * given): the benchmarks' counts, durations and sizes. Anything else stops the benchmark before it
 * starts anything.
 */
export function integerSetting(name: string, fallback: number, least = 1): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < least) {
    throw new Error(`${name} must be an integer of at least ${least}`);
  }
  return value;
}
