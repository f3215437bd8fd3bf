// One load round with autocannon, and the CPU time the processes under test spent meanwhile.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The exact response every request must get; anything else counts as an error. */
  expectBody?: string;
  connections: number;
  seconds: number;
}

export interface RoundResult {
  /** Correct responses (2xx, and the expected body when there is one) per second. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Connection errors and timeouts, non-2xx responses and bodies other than the expected one. */
  errors: number;
  /** How many responses had each status other than 200. */
  otherStatuses: Record<string, number>;
  /**
   * CPU seconds during the round: per watched process (by name), `load` (this process, i.e.
   * autocannon) and `machine` (all CPUs, everything); empty where /proc is missing.
   */
  cpuSeconds: Record<string, number>;
  seconds: number;
}

export async function runLoad(
  options: LoadOptions,
  watched: Record<string, number> = {},
): Promise<RoundResult> {
  const before = cpuTimes(watched);
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
    workers: 1,
    ...(options.expectBody === undefined ? {} : { expectBody: options.expectBody }),
  });
  const after = cpuTimes(watched);
  const cpuSeconds = Object.fromEntries(
    Object.keys(after)
      .filter((name) => before[name] !== undefined)
      .map((name) => [name, after[name]! - before[name]!]),
  );
  // With an expected body, every non-2xx response is a mismatch too.
  const wrong = options.expectBody === undefined ? result.non2xx : result.mismatches;
  return {
    rps: (result.requests.total - wrong) / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + wrong,
    otherStatuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {})
        .filter(([status]) => status !== '200')
        .map(([status, { count }]) => [status, count ?? 0]),
    ),
    cpuSeconds,
    seconds: result.duration,
  };
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  return clockTicks;
}

/**
 * CPU seconds (user + system) used so far: by each of the processes, by this one (`load`) and by
 * the whole machine (`machine`), from /proc (Linux only).
 */
function cpuTimes(pids: Record<string, number>): Record<string, number> {
  const usage = process.cpuUsage();
  const times: Record<string, number> = { load: (usage.user + usage.system) / 1e6 };
  try {
    // All CPUs: user nice system idle iowait irq softirq steal …; all but idle and iowait is work.
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const busy = ticks
      .slice(0, 8)
      .reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + Number(value)), 0);
    times.machine = busy / ticksPerSecond();
  } catch {
    // No /proc here: no CPU figures.
  }
  for (const [name, pid] of Object.entries(pids)) {
    try {
      // Fields after the command's closing parenthesis: state is the first, utime the 12th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times[name] = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
    } catch {
      // No /proc here: no CPU figures.
    }
  }
  return times;
}
