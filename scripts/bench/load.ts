// One load round with autocannon, and the CPU time the processes under test spent meanwhile.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** One request of a load round, and what makes its answer correct. */
export interface LoadRequest {
  headers: Record<string, string>;
  body: string;
  /** The exact response it must get; absent: any 2xx response counts as correct. */
  expectBody?: string;
  /**
   * Asked when the response (status 200) is not `expectBody` byte for byte: whether it is correct
   * all the same (e.g. the same JSON with other whitespace). Absent: it is not.
   */
  isEquivalent?: (body: string) => boolean;
}

export type LoadOptions = {
  url: string;
  connections: number;
  seconds: number;
} & (
  | LoadRequest
  | {
      /**
       * Requests that differ: sent in turn across all connections (the next connection that is
       * free sends the next one), so that the requests in flight at once differ as long as there
       * are more of them than connections.
       */
      requests: readonly LoadRequest[];
    }
);

export interface RoundResult {
  /** Correct responses (2xx, and the expected body when there is one) per second. */
  rps: number;
  p50: number;
  p99: number;
  /** Responses received. */
  requests: number;
  /** Of those, the correct ones. */
  correct: number;
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

interface ConnectionContext {
  /** The index of the request this connection has in flight. */
  request?: number;
}

export async function runLoad(
  options: LoadOptions,
  watched: Record<string, number> = {},
): Promise<RoundResult> {
  const requests = 'requests' in options ? options.requests : [options];
  if (!requests.length) throw new Error('A load round needs at least one request');
  // autocannon runs in this thread (no workers) so that the checks below can be closures; it keeps
  // one request in flight per connection, so a connection's context names the one it awaits.
  let next = 0;
  let wrong = 0;
  const isCorrect = (request: LoadRequest, status: number, body: string) => {
    if (status < 200 || status > 299) return false;
    if (request.expectBody === undefined || body === request.expectBody) return true;
    return status === 200 && (request.isEquivalent?.(body) ?? false);
  };
  const before = cpuTimes(watched);
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (request, context: ConnectionContext) => {
          const index = next;
          next = (next + 1) % requests.length;
          context.request = index;
          const { headers, body } = requests[index]!;
          return { ...request, method: 'POST', headers, body };
        },
        onResponse: (status, body, context: ConnectionContext) => {
          const request = requests[context.request ?? 0]!;
          if (!isCorrect(request, status, body)) wrong += 1;
        },
      },
    ],
  });
  const after = cpuTimes(watched);
  const cpuSeconds = Object.fromEntries(
    Object.keys(after)
      .filter((name) => before[name] !== undefined)
      .map((name) => [name, after[name]! - before[name]!]),
  );
  return {
    rps: (result.requests.total - wrong) / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    correct: result.requests.total - wrong,
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

/**
 * The kernel's clock ticks per second, asked once as the module loads: asked at the first reading
 * instead, its child process would be counted in whatever window that reading opens.
 */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    // No getconf (not Linux): there is no /proc to read either.
    return 100;
  }
})();

/** CPU seconds (user + system) process `pid` used so far, from /proc (Linux only: throws elsewhere). */
export function processCpuSeconds(pid: number): number {
  // Fields after the command's closing parenthesis (the name may hold spaces): state is the
  // first, utime the 12th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
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
    times.machine = busy / CLOCK_TICKS;
  } catch {
    // No /proc here: no CPU figures.
  }
  for (const [name, pid] of Object.entries(pids)) {
    try {
      times[name] = processCpuSeconds(pid);
    } catch {
      // No /proc here: no CPU figures.
    }
  }
  return times;
}
