import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATEWAY_NODE_OPTIONS } from './gateway-runtime';

describe("the gateway's Node options", () => {
  it('when compose runs the gateway, then it runs with the options it is benchmarked with', () => {
    const compose = parse(
      readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8'),
    ) as { services: Record<string, { environment?: Record<string, string> }> };
    expect(compose.services.gateway?.environment?.NODE_OPTIONS).toBe(GATEWAY_NODE_OPTIONS);
  });

  it('when Node is started with them, then it accepts them in NODE_OPTIONS', () => {
    // Node refuses a V8 option it does not allow in NODE_OPTIONS before it runs anything.
    const output = execFileSync(process.execPath, ['-e', 'process.stdout.write("started")'], {
      env: { ...process.env, NODE_OPTIONS: GATEWAY_NODE_OPTIONS },
    });
    expect(String(output)).toBe('started');
  });
});
