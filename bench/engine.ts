import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { CedarPolicyEngine } from "../lambdas/adapters/cedar/cedar-engine";
import { inputSha256 } from "../lambdas/core/hashing";
import { buildCedarRequest, type ToolCall } from "../lambdas/core/policy/cedar-request";
import { evaluateToolCall } from "../lambdas/core/policy/evaluate";
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

const TASK: TaskSnapshot = freshTaskSnapshot(
  {
    agent_id: "arn:aws:sts::123456789012:assumed-role/agent/session",
    repo: "acme/app",
    owner: "alice",
    read_only: false,
  },
  {
    counters: { tool_calls: 10, approvals_requested: 1 },
    grants: [{ scope: "command:npm test *", granted_by: "alice", granted_at: "2026-11-22T12:00:00.000Z" }],
  },
);

export interface EngineFigures {
  p50_us: number;
  p99_us: number;
  floor_p50_us: number;
  ratio: number;
  decisions_per_s: number;
}

/**
 * Our whole decision (Cedar request, input hash, preparsed Cedar call, pipeline) against
 * the bare preparsed `statefulIsAuthorized` call on the same prebuilt requests, measured
 * in interleaved rounds of the same run so machine noise hits both alike.
 */
export function benchEngine(decisions = 20_000): EngineFigures {
  const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
  const compiled = engine.compile();
  if (!compiled.ok)
    throw new Error(`built-in policies did not load: ${JSON.stringify(compiled.diagnostics)}`);
  const policies = compiled.policySet;
  const requests = CALLS.map((call) => buildCedarRequest(TASK, call));
  const now = new Date("2026-11-22T12:00:00.000Z");

  const ours = (i: number) => {
    const call = CALLS[i % CALLS.length] as ToolCall;
    evaluateToolCall({ task: TASK, call, inputSha256: inputSha256(call.tool_input), policies, now });
  };
  const floor = (i: number) => {
    const r = requests[i % requests.length];
    if (!r) return;
    cedar.statefulIsAuthorized({ ...r, entities: [], preparsedPolicySetId: policies.id });
  };

  const oursNs: number[] = [];
  const floorNs: number[] = [];
  const round_ = (fn: (i: number) => void, out: number[] | undefined, n: number) => {
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      fn(i);
      out?.push(Number(process.hrtime.bigint() - start));
    }
  };
  round_(ours, undefined, 2_000);
  round_(floor, undefined, 2_000);
  const block = 1_000;
  let oursTotalNs = 0;
  for (let done = 0; done < decisions; done += block) {
    const before = oursNs.length;
    round_(ours, oursNs, block);
    for (let i = before; i < oursNs.length; i++) oursTotalNs += oursNs[i] ?? 0;
    round_(floor, floorNs, block);
  }

  oursNs.sort((a, b) => a - b);
  floorNs.sort((a, b) => a - b);
  const p50 = percentile(oursNs, 50) / 1000;
  const floorP50 = percentile(floorNs, 50) / 1000;
  return {
    p50_us: round(p50),
    p99_us: round(percentile(oursNs, 99) / 1000),
    floor_p50_us: round(floorP50),
    ratio: round(p50 / floorP50, 2),
    decisions_per_s: Math.round(oursNs.length / (oursTotalNs / 1e9)),
  };
}

export function engineRows(f: EngineFigures): BenchRow[] {
  return [
    { figure: "engine p50 (µs)", value: String(f.p50_us), target: "≤ 150", met: f.p50_us <= 150 },
    { figure: "engine p99 (µs)", value: String(f.p99_us), target: "-", met: true },
    { figure: "raw preparsed Cedar p50 (µs)", value: String(f.floor_p50_us), target: "floor", met: true },
    { figure: "engine / raw Cedar p50", value: String(f.ratio), target: "≤ 1.3", met: f.ratio <= 1.3 },
    { figure: "engine decisions/s", value: String(f.decisions_per_s), target: "-", met: true },
  ];
}
