import type { HandlerGroup } from "../lambdas/routes";

/** What one Lambda function runs and how it is sized. */
export interface FunctionSpec {
  /** The handler file under `lambdas/handlers/`, without `.ts`. */
  readonly entry: string;
  /** What the function is, for its description and log lines, e.g. "agent API". */
  readonly purpose: string;
  /**
   * Whether it evaluates policies: only then does it carry the Cedar and shell parser layers, and
   * 512 MB so their WebAssembly compiles quickly on a cold start.
   */
  readonly evaluates: boolean;
  readonly memoryMb: number;
  readonly timeoutS: number;
}

/**
 * The function behind each route group. Only `agent` (evaluate) and `policies` (publish and dry-run)
 * judge tool calls. The long-poll function mostly sleeps between reads, so it is as small as Lambda
 * allows; the rest answer humans and Slack, which wants an answer within 3 s of a click.
 */
export const API_FUNCTIONS: Readonly<Record<HandlerGroup, FunctionSpec>> = {
  public: { entry: "api-public", purpose: "public API", evaluates: false, memoryMb: 128, timeoutS: 10 },
  agent: { entry: "api-agent", purpose: "agent API", evaluates: true, memoryMb: 512, timeoutS: 10 },
  // API Gateway gives up on an integration after 29 s; a poll waits at most 25 s of that.
  wait: { entry: "api-wait", purpose: "wait API", evaluates: false, memoryMb: 128, timeoutS: 29 },
  shared: { entry: "api-shared", purpose: "shared API", evaluates: false, memoryMb: 256, timeoutS: 10 },
  human: { entry: "api-human", purpose: "human API", evaluates: false, memoryMb: 256, timeoutS: 10 },
  policies: { entry: "api-policies", purpose: "policies API", evaluates: true, memoryMb: 512, timeoutS: 10 },
  slack: { entry: "api-slack", purpose: "slack API", evaluates: false, memoryMb: 256, timeoutS: 10 },
};

/** The functions no route reaches: the schedule's and the Events stream's. */
export const BACKGROUND_FUNCTIONS = {
  reconciler: { entry: "reconciler", purpose: "reconciler", evaluates: false, memoryMb: 256, timeoutS: 50 },
  metricsPublisher: {
    entry: "metrics-publisher",
    purpose: "metrics publisher",
    evaluates: false,
    memoryMb: 128,
    timeoutS: 10,
  },
  // Channels run side by side; the slowest makes at most three 5-second calls (Slack) or three
  // 5-second attempts with backoff (a webhook) per record before its lane stops for the batch.
  channelFanout: {
    entry: "channel-fanout",
    purpose: "channel fan-out",
    evaluates: false,
    memoryMb: 256,
    timeoutS: 60,
  },
} as const satisfies Record<string, FunctionSpec>;

/** Every function of the stack. */
export const ALL_FUNCTIONS: readonly FunctionSpec[] = [
  ...Object.values(API_FUNCTIONS),
  ...Object.values(BACKGROUND_FUNCTIONS),
];
