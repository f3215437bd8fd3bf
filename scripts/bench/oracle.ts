// Every answer checked against an oracle: plain Apollo Gateway's answer to the same request, asked
// once before the timed rounds. Each gateway's own answer (when it is the oracle's data, in the
// same order) is then what it must give under load byte for byte; any other body that is still the
// same JSON counts as correct too, anything else is an error.
import { isDeepStrictEqual } from 'node:util';
import type { LoadRequest } from './load';
import type { WorkloadRequest } from './workloads';

export interface Answer {
  status: number;
  text: string;
}

export async function ask(url: string, request: WorkloadRequest): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}

/** The oracle's answer must be data without errors, or the workload itself is wrong. */
export function validOracle(answer: Answer, what: string): Answer {
  let json: { data?: unknown; errors?: unknown[] };
  try {
    json = JSON.parse(answer.text) as typeof json;
  } catch {
    throw new Error(`${what}: the oracle answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  }
  if (answer.status !== 200 || json.errors?.length || !json.data) {
    throw new Error(`${what}: the oracle answered ${answer.status}: ${answer.text.slice(0, 2000)}`);
  }
  // See seed.ts: autocannon would garble a multi-byte character split between chunks.
  if (!/^[\x20-\x7e\s]*$/.test(answer.text)) {
    console.warn(`${what}: the answer is not all ASCII; a correct answer may be counted wrong`);
  }
  return answer;
}

/** The JSON re-serialised (its key order kept, whitespace gone), or undefined when it is not JSON. */
function canonical(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The first path at which two JSON values differ, for a readable report. */
export function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path || '(root)'}: ${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const key of keys) {
    const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${key}`);
  }
  return `${path || '(root)'}: key order differs`;
}

export interface Verified {
  /** What the load sends and checks, request by request. */
  requests: LoadRequest[];
  /** Requests whose answer was not the oracle's (each counts as an error under load). */
  differences: string[];
}

/**
 * Asks the gateway at `url` each request and compares with the oracle's answers; the returned
 * load requests expect the gateway's own bytes when they carry the oracle's data, and the oracle's
 * otherwise (so that a gateway with other data fails every such request under load).
 */
export async function verifyAgainstOracle(
  url: string,
  requests: readonly WorkloadRequest[],
  oracle: readonly Answer[],
): Promise<Verified> {
  const differences: string[] = [];
  const checked: LoadRequest[] = [];
  for (const [index, request] of requests.entries()) {
    const expected = oracle[index]!;
    const expectedJson = canonical(expected.text)!;
    const isEquivalent = (body: string) => canonical(body) === expectedJson;
    const answer = await ask(url, request);
    const same = answer.status === 200 && isEquivalent(answer.text);
    if (!same) {
      const actual = canonical(answer.text);
      differences.push(
        `request ${index}: ` +
          (actual === undefined
            ? `${answer.status} ${answer.text.slice(0, 300)}`
            : firstDifference(JSON.parse(actual), JSON.parse(expectedJson))),
      );
    }
    checked.push({
      headers: request.headers,
      body: request.body,
      expectBody: same ? answer.text : expected.text,
      isEquivalent,
    });
  }
  return { requests: checked, differences };
}
