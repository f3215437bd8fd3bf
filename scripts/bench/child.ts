// The child side of the benchmark's processes: start, announce readiness on stdout, and stop
// cleanly (so that --cpu-prof can write its profile) on SIGTERM, SIGINT or when the parent goes
// away (its end of stdin closes).
import { READY_PREFIX } from './protocol';

export interface Started<T> {
  ready: T;
  stop(): Promise<void>;
}

export function runChild<T>(name: string, start: () => Promise<Started<T>>): void {
  let stopping = false;
  let started: Started<T> | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await started?.stop();
    } catch (error) {
      console.error(`[${name}] stopping failed:`, error);
      code = code || 1;
    }
    process.exit(code);
  };
  // Ctrl-C and the parent may both signal: every signal is handled, the first one stops.
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();
  // Once the parent is gone, writing to it fails; stdin's end stops this process then.
  process.stdout.on('error', () => void stop(0));
  start().then(
    (result) => {
      started = result;
      process.stdout.write(`${READY_PREFIX}${JSON.stringify(result.ready)}\n`);
    },
    (error: unknown) => {
      console.error(`[${name}] failed to start:`, error);
      process.exit(1);
    },
  );
}
