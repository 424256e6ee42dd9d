import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { CedarPolicyEngine } from "../lambdas/adapters/cedar/cedar-engine";
import { loadBashParser } from "../lambdas/adapters/shell/tree-sitter-bash";
import { inputSha256 } from "../lambdas/core/hashing";
import { analyzeCall, type ToolCall } from "../lambdas/core/policy/call-analysis";
import { buildCedarRequests, type CedarRequest } from "../lambdas/core/policy/cedar-request";
import { decideToolCall } from "../lambdas/core/policy/evaluate";
import type { CompiledPolicySet } from "../lambdas/core/policy/policy-set";
import type { ShellParser } from "../lambdas/core/shell/syntax";
import { freshTaskSnapshot, type TaskSnapshot } from "../lambdas/core/task";
import { BUILTIN_POLICY_TEXTS } from "../lambdas/policies/builtin";
import type { BenchRow } from "./results";
import { percentile, round } from "./stats";

/** A mix of what coding agents send: mostly harmless calls, some rule hits, a few grants. */
const CALLS: readonly ToolCall[] = [
  { tool_name: "Bash", tool_input: { command: "git status", description: "Show working tree status" } },
  { tool_name: "Bash", tool_input: { command: "npm test -- --runInBand", timeout: 120000 } },
  { tool_name: "Read", tool_input: { file_path: "/repo/src/index.ts", offset: 1, limit: 200 } },
  {
    tool_name: "Edit",
    tool_input: { file_path: "/repo/src/app.ts", old_string: "let x = 1;", new_string: "const x = 1;" },
  },
  { tool_name: "Write", tool_input: { file_path: "/repo/.env", content: "API_URL=https://example.com\n" } },
  { tool_name: "Bash", tool_input: { command: "git push --force origin main" } },
  { tool_name: "Bash", tool_input: { command: "rm -rf /" } },
  { tool_name: "Bash", tool_input: { command: "terraform apply -auto-approve" } },
  { tool_name: "Grep", tool_input: { pattern: "TODO", path: "/repo/src", output_mode: "content" } },
  {
    tool_name: "WebFetch",
    tool_input: { url: "https://docs.example.com/api", prompt: "Summarize the auth section" },
  },
];

/** One simple command, and a compound of three (a list and a pipeline), as the issue measures them. */
const SINGLE: ToolCall = { tool_name: "Bash", tool_input: { command: "git push --force origin main" } };
const COMPOUND: ToolCall = {
  tool_name: "Bash",
  tool_input: { command: "npm run build && git commit -am 'release' | tee commit.log" },
};

const TASK: TaskSnapshot = freshTaskSnapshot(
  {
    agent_id: "arn:aws:sts::123456789012:assumed-role/agent/session",
    repo: "acme/app",
    owner: "alice",
    read_only: false,
  },
  {
    counters: { tool_calls: 10, approvals_requested: 1 },
    grants: [
      {
        scope: "command:npm test *",
        granted_by: { kind: "human", id: "alice" },
        granted_at: "2026-11-22T12:00:00.000Z",
      },
    ],
  },
);

/** Our decision against its floor: the parse plus the raw preparsed Cedar calls it needs. */
export interface CaseFigures {
  p50_us: number;
  p99_us: number;
  floor_p50_us: number;
  ratio: number;
  /** How many Cedar requests the call is judged by. */
  cedar_calls: number;
}

export interface EngineFigures {
  /** The mix of calls above. */
  mix: CaseFigures & { decisions_per_s: number };
  single: CaseFigures;
  compound: CaseFigures;
  /** The shell parser alone (parse and translation), p50 µs. */
  parse_single_p50_us: number;
  parse_compound_p50_us: number;
}

/**
 * Our whole decision (command analysis, Cedar requests, input hash, preparsed Cedar calls,
 * pipeline) against the same call's floor — parsing its command plus the bare preparsed
 * `statefulIsAuthorized` calls on its prebuilt requests — in interleaved rounds of the same run,
 * so machine noise hits both alike.
 */
export async function benchEngine(decisions = 20_000): Promise<EngineFigures> {
  const shell = await loadBashParser();
  const compiled = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS).compile();
  if (!compiled.ok)
    throw new Error(`built-in policies did not load: ${JSON.stringify(compiled.diagnostics)}`);
  const policies = compiled.policySet;

  const mix = measure(CALLS, shell, policies, decisions);
  return {
    mix: { ...mix.figures, decisions_per_s: mix.decisionsPerS },
    single: measure([SINGLE], shell, policies, decisions / 2).figures,
    compound: measure([COMPOUND], shell, policies, decisions / 2).figures,
    parse_single_p50_us: parseP50(shell, SINGLE),
    parse_compound_p50_us: parseP50(shell, COMPOUND),
  };
}

function measure(
  calls: readonly ToolCall[],
  shell: ShellParser,
  policies: CompiledPolicySet,
  decisions: number,
) {
  const now = new Date("2026-11-22T12:00:00.000Z");
  const requests: CedarRequest[][] = calls.map((call) =>
    buildCedarRequests(TASK, call, analyzeCall(call, shell)),
  );
  const commands = calls.map((call) =>
    typeof call.tool_input.command === "string" ? call.tool_input.command : undefined,
  );

  const ours = (i: number) => {
    const call = calls[i % calls.length] as ToolCall;
    decideToolCall({
      task: TASK,
      call,
      inputSha256: inputSha256(call.tool_input),
      policies,
      shell,
      locks: [],
      now,
    });
  };
  const floor = (i: number) => {
    const command = commands[i % calls.length];
    if (command !== undefined) shell.parse(command);
    for (const r of requests[i % calls.length] ?? [])
      cedar.statefulIsAuthorized({ ...r, entities: [], preparsedPolicySetId: policies.id });
  };

  const oursNs: number[] = [];
  const floorNs: number[] = [];
  timed(ours, undefined, 2_000);
  timed(floor, undefined, 2_000);
  const block = 1_000;
  let oursTotalNs = 0;
  for (let done = 0; done < decisions; done += block) {
    const before = oursNs.length;
    timed(ours, oursNs, block);
    for (let i = before; i < oursNs.length; i++) oursTotalNs += oursNs[i] ?? 0;
    timed(floor, floorNs, block);
  }
  oursNs.sort((a, b) => a - b);
  floorNs.sort((a, b) => a - b);
  const p50 = percentile(oursNs, 50) / 1000;
  const floorP50 = percentile(floorNs, 50) / 1000;
  return {
    figures: {
      p50_us: round(p50),
      p99_us: round(percentile(oursNs, 99) / 1000),
      floor_p50_us: round(floorP50),
      ratio: round(p50 / floorP50, 2),
      cedar_calls: Math.max(...requests.map((r) => r.length)),
    },
    decisionsPerS: Math.round(oursNs.length / (oursTotalNs / 1e9)),
  };
}

function parseP50(shell: ShellParser, call: ToolCall): number {
  const command = call.tool_input.command as string;
  const ns: number[] = [];
  timed(() => shell.parse(command), undefined, 2_000);
  timed(() => shell.parse(command), ns, 10_000);
  ns.sort((a, b) => a - b);
  return round(percentile(ns, 50) / 1000);
}

function timed(fn: (i: number) => void, out: number[] | undefined, n: number): void {
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    fn(i);
    out?.push(Number(process.hrtime.bigint() - start));
  }
}

export function engineRows(f: EngineFigures): BenchRow[] {
  const ratioRow = (name: string, c: CaseFigures): BenchRow => ({
    figure: `engine / (parse + raw Cedar), ${name} (floor ${c.floor_p50_us} µs, ${c.cedar_calls} Cedar calls)`,
    value: String(c.ratio),
    target: "≤ 1.3",
    met: c.ratio <= 1.3,
  });
  return [
    {
      figure: "engine p50, mixed calls (µs)",
      value: String(f.mix.p50_us),
      target: "≤ 150",
      met: f.mix.p50_us <= 150,
    },
    { figure: "engine p99, mixed calls (µs)", value: String(f.mix.p99_us), target: "-", met: true },
    ratioRow("mixed calls", f.mix),
    {
      figure: "engine decisions/s, mixed calls",
      value: String(f.mix.decisions_per_s),
      target: "-",
      met: true,
    },
    {
      figure: "shell parser p50, one command (µs)",
      value: String(f.parse_single_p50_us),
      target: "-",
      met: true,
    },
    {
      figure: "shell parser p50, three commands (µs)",
      value: String(f.parse_compound_p50_us),
      target: "-",
      met: true,
    },
    {
      figure: "engine p50, one command (µs)",
      value: String(f.single.p50_us),
      target: "≤ 200",
      met: f.single.p50_us <= 200,
    },
    ratioRow("one command", f.single),
    {
      figure: "engine p50, three commands (µs)",
      value: String(f.compound.p50_us),
      target: "≤ 500",
      met: f.compound.p50_us <= 500,
    },
    ratioRow("three commands", f.compound),
  ];
}
