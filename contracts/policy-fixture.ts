import { z } from "zod";

/**
 * One golden policy case: a tool call, the task facts it runs under, and the decision the
 * engine must give. Optional task fields default to a fresh RUNNING task.
 */
export const PolicyFixtureSchema = z
  .object({
    name: z.string().min(1),
    tool_name: z.string().min(1),
    tool_input: z.record(z.string(), z.unknown()),
    task: z
      .object({
        read_only: z.boolean(),
        status: z
          .enum(["RUNNING", "AWAITING_APPROVAL", "COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"])
          .optional(),
        /** Scopes as an approver would type them; aliases are canonicalized before use. */
        grants: z.array(z.string()).optional(),
        tool_calls: z.number().int().nonnegative().optional(),
        max_tool_calls: z.number().int().positive().optional(),
        approvals_requested: z.number().int().nonnegative().optional(),
        approval_gate_cap: z.number().int().positive().optional(),
        approval_timeout_s: z.number().int().optional(),
        /** PENDING requests already waiting; the deployed store's transaction size caps them. */
        pending_requests: z.number().int().nonnegative().optional(),
      })
      .strict(),
    /** Custom Cedar text published for the repo, on top of the built-ins. */
    policies: z.string().optional(),
    expected: z
      .object({
        decision: z.enum(["ALLOW", "DENY", "REQUIRE_APPROVAL"]),
        source: z.string(),
        rule_ids: z.array(z.string()),
        severity: z.enum(["low", "medium", "high", "critical"]).optional(),
        timeout_s: z.number().int().optional(),
      })
      .strict(),
  })
  .strict();

export type PolicyFixture = z.infer<typeof PolicyFixtureSchema>;
