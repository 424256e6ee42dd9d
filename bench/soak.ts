import { readFileSync } from "node:fs";
import { findFreePort } from "../local/dynamodb-local";
import { spawnLocalServer } from "../local/server-process";
import { keepAliveClient } from "./http-client";
import type { BenchRow } from "./results";
import { percentile, round } from "./stats";

export interface SoakFigures {
  duration_s: number;
  rate_per_s: number;
  windows: { from_s: number; p50_ms: number; p99_ms: number; requests: number; errors: number }[];
  rss_start_mb: number;
  rss_end_mb: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return round(kb / 1024, 1);
}

/**
 * A steady stream of evaluations (and an approval now and then) against `npm start` in its
 * own process, so its memory can be read from outside: latency per window and RSS at the
 * start and the end.
 */
export async function benchSoak(durationS = 300, ratePerS = 40, windowS = 30): Promise<SoakFigures> {
  const port = await findFreePort();
  const server = spawnLocalServer(port, ["--in-memory"]);

  const url = `http://127.0.0.1:${port}`;
  const client = keepAliveClient();
  const agent = { authorization: "Bearer local:agent:soak", "content-type": "application/json" };
  const human = { authorization: "Bearer local:human:alice", "content-type": "application/json" };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await client.call("GET", `${url}/v1/health`, {})).status === 200) break;
      } catch {
        if (Date.now() > deadline) throw new Error("the soak server did not start");
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const tasks = Array.from({ length: 20 }, (_, i) => `soak-${i}`);
    for (const task_id of tasks)
      await client.call("POST", `${url}/v1/tasks`, agent, {
        task_id,
        owner: "alice",
        repo: "acme/app",
        max_tool_calls: 100_000,
      });
    for (let i = 0; i < 200; i++) {
      await client.call("POST", `${url}/v1/tasks/${tasks[i % tasks.length]}/tool-calls`, agent, {
        tool_name: "Bash",
        tool_input: { command: `echo warm ${i}` },
      });
    }
    const pid = server.pid ?? 0;
    const rssStart = rssMb(pid);

    const windows: SoakFigures["windows"] = [];
    const start = Date.now();
    let sent = 0;
    let current: number[] = [];
    let errors = 0;
    let windowStart = start;
    const inFlight = new Set<Promise<void>>();
    while (Date.now() - start < durationS * 1000) {
      const due = Math.floor(((Date.now() - start) / 1000) * ratePerS);
      for (; sent < due; sent++) {
        const i = sent;
        const task = tasks[i % tasks.length] as string;
        const t0 = process.hrtime.bigint();
        // A request that fails on the wire counts as an error of its window; it must not end the soak.
        const p = (async () => {
          const soft = i % 50 === 0;
          const r = await client.call("POST", `${url}/v1/tasks/${task}/tool-calls`, agent, {
            tool_name: "Bash",
            tool_input: { command: soft ? `terraform apply -target=m${i}` : `echo ${i}` },
          });
          current.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (r.status !== 200) errors += 1;
          else if (soft && typeof r.json.request_id === "string") {
            await client.call("POST", `${url}/v1/tasks/${task}/approve`, human, {
              request_id: r.json.request_id,
            });
          }
        })()
          .catch(() => {
            errors += 1;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (Date.now() - windowStart >= windowS * 1000) {
        const sorted = [...current].sort((a, b) => a - b);
        windows.push({
          from_s: round((windowStart - start) / 1000, 0),
          p50_ms: round(percentile(sorted, 50), 2),
          p99_ms: round(percentile(sorted, 99), 2),
          requests: sorted.length,
          errors,
        });
        current = [];
        errors = 0;
        windowStart = Date.now();
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inFlight);
    return {
      duration_s: durationS,
      rate_per_s: ratePerS,
      windows,
      rss_start_mb: rssStart,
      rss_end_mb: rssMb(pid),
    };
  } finally {
    client.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
}

export function soakRows(f: SoakFigures): BenchRow[] {
  const p99s = f.windows.map((w) => w.p99_ms);
  const errors = f.windows.reduce((n, w) => n + w.errors, 0);
  const growth = round(f.rss_end_mb - f.rss_start_mb, 1);
  return [
    {
      figure: `soak ${f.duration_s} s at ${f.rate_per_s}/s: p50 first → last window (ms)`,
      value: `${f.windows.at(0)?.p50_ms} → ${f.windows.at(-1)?.p50_ms}`,
      target: "-",
      met: true,
    },
    { figure: "soak: worst window p99 (ms)", value: String(Math.max(...p99s)), target: "-", met: true },
    { figure: "soak: errors", value: String(errors), target: "0", met: errors === 0 },
    {
      figure: "soak: server RSS start → end (MB)",
      value: `${f.rss_start_mb} → ${f.rss_end_mb}`,
      target: "growth ≤ 25 MB",
      met: growth <= 25,
    },
  ];
}
