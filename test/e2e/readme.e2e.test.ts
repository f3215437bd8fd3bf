import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { untilPasses } from '@fitnexa/shared/testing';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { Kind, OperationTypeNode, parse } from 'graphql';
import MarkdownIt from 'markdown-it';
import { startGraph, type Graph } from './support';

// README.md's quick start runs as printed. The convention, for whoever edits it:
// - a `graphql` block is one named operation; a `json` block right after it is its variables;
// - the blocks run in order through the gateway, with the token of the last `login` answered;
// - a `ts` block is a whole program, run with tsx from the repo root (so the repo's packages
//   resolve), its `127.0.0.1:3000` (npm start's gateway) replaced by the test graph's address;
//   each has a driver below that checks what it prints;
// - `sh` blocks are commands for a terminal, not run here.
// A block of any other language fails the test until it is given a way to run here.

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const NPM_START_ORIGIN = '127.0.0.1:3000';

interface Block {
  lang: string;
  code: string;
  /** 1-based, where the fence opens: what a failure names. */
  line: number;
}

const blocks: Block[] = new MarkdownIt()
  .parse(README, {})
  .filter((token) => token.type === 'fence' || token.type === 'code_block')
  .map((token) => ({
    lang: token.info.trim().split(/\s+/)[0] ?? '',
    code: token.content,
    line: (token.map?.[0] ?? 0) + 1,
  }));

/** Each graphql block with the variables of the json block after it. */
const operations = blocks.flatMap((block, index) => {
  if (block.lang !== 'graphql') return [];
  const next = blocks[index + 1];
  const variables = next?.lang === 'json' ? (JSON.parse(next.code) as Record<string, unknown>) : {};
  return [{ ...block, variables }];
});
const programs = blocks.filter((block) => block.lang === 'ts');

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph({ seedDemoData: true });
}, 60_000);
afterAll(() => graph.stop());

describe("README.md's blocks", () => {
  it('when README.md is read, then every block is graphql, json right after a graphql block, ts or sh', () => {
    expect(operations.length).toBeGreaterThanOrEqual(4);
    expect(programs.length).toBeGreaterThanOrEqual(1);
    blocks.forEach((block, index) => {
      const where = `README.md:${block.line}`;
      expect({ where, lang: block.lang }).toEqual({
        where,
        lang: expect.stringMatching(/^(graphql|json|ts|sh)$/),
      });
      if (block.lang === 'json') {
        expect({ where, after: blocks[index - 1]?.lang }).toEqual({ where, after: 'graphql' });
      }
    });
  });

  it('when a graphql block is parsed, then it is one named operation, a name no other block uses', () => {
    const names = operations.map(({ code, line }) => {
      const definitions = parse(code).definitions;
      expect({ line, definitions: definitions.length }).toEqual({ line, definitions: 1 });
      const [operation] = definitions;
      expect({ line, kind: operation?.kind }).toEqual({ line, kind: Kind.OPERATION_DEFINITION });
      return operation?.kind === Kind.OPERATION_DEFINITION ? operation.name?.value : undefined;
    });
    expect(names.every(Boolean)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  it('when the graphql blocks run in order as printed, then each answers data and no errors', async () => {
    let token: string | null = null;
    const answers: Record<string, any> = {};
    for (const { code, variables, line } of operations) {
      const [operation] = parse(code).definitions;
      if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`README.md:${line}`);
      expect(operation.operation).not.toBe(OperationTypeNode.SUBSCRIPTION);
      const response = await graph.post(
        { query: code, variables },
        token ? { authorization: `Bearer ${token}` } : {},
      );
      const where = `README.md:${line}`;
      expect({ where, status: response.status, errors: response.body.errors }).toEqual({
        where,
        status: 200,
        errors: undefined,
      });
      for (const [field, value] of Object.entries(response.body.data)) {
        expect({ where, field, value }).toEqual({ where, field, value: expect.anything() });
      }
      token = response.body.data.login?.accessToken ?? token;
      answers[operation.name!.value] = response.body.data;
    }

    // The dashboard is the demo member's, with what the demo data gives them.
    expect(answers.Dashboard.me.displayName).toBe(DEMO_USERS.member.displayName);
    expect(answers.Dashboard.me.memberships.length).toBeGreaterThan(0);
    expect(answers.Dashboard.me.workoutSessions.edges.length).toBeGreaterThan(0);
    // The gym id the README gives is one GymsNear answers, as the README says.
    const gymIds = answers.GymsNear.gymsNear.edges.map(
      (edge: { node: { id: string } }) => edge.node.id,
    );
    const schedule = operations.find((operation) => operation.code.includes('GymSchedule'));
    expect(gymIds).toContain(schedule?.variables.gymId);
  });

  it('when the chat program runs as printed and the coach writes to the demo chat, then it prints the message', async () => {
    const program = programs.find((block) => block.code.includes('messageAdded('));
    if (!program) throw new Error('README.md has no chat program (a ts block with messageAdded)');
    expect(program.code).toContain(NPM_START_ORIGIN);
    const child = runProgram(program, 'chat');
    try {
      await Promise.race([
        untilPasses(() => expect(child.output()).toContain('Listening to conversation'), 30_000),
        child.exited.then(() => {
          throw new Error(`The chat program ended:\n${child.output()}`);
        }),
      ]);
      const coach = await graph.logIn(DEMO_USERS.coach.email, DEMO_PASSWORD);
      const conversationId = /Listening to conversation (\S+);/.exec(child.output())![1];
      const body = `Hello from the README test ${Date.now()}`;
      // graphql-ws never acknowledges a subscription: write until one arrives.
      await untilPasses(async () => {
        await graph.as(
          coach.token,
          'mutation Send($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }',
          { id: conversationId, body },
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(child.output()).toContain(body);
      }, 15_000);
      expect(child.output()).toContain(DEMO_USERS.coach.displayName);
    } finally {
      await child.stop();
    }
  }, 60_000);
});

/** Writes a ts block, pointed at the test graph, where the repo's packages resolve, and runs it. */
function runProgram(program: Block, name: string) {
  const origin = new URL(graph.gateway.url).host;
  const dir = join(ROOT, 'node_modules', '.cache', 'readme-programs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}.mts`);
  writeFileSync(file, program.code.replaceAll(NPM_START_ORIGIN, origin));
  const child: ChildProcess = spawn(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    ['--conditions=fitnexa-source', file],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    output: () => output,
    /** Resolves when the program ends (it should not before it is stopped). */
    exited,
    async stop() {
      child.kill();
      await exited;
      rmSync(file, { force: true });
    },
  };
}
