import type { RepoSettings } from "../../../contracts/governance";
import type {
  Clock,
  IdGenerator,
  RateLimiter,
  SettingsStore,
  SigningKey,
  Sleeper,
  TaskStore,
} from "../ports";
import type { ShellParser } from "../shell/syntax";
import type { FreshSignInPolicy } from "./fresh-sign-in";
import type { LockCatalog } from "./lock-catalog";
import type { PolicyCatalog } from "./policy-catalog";

/** Everything the control plane's use cases need from the outside, built once per process. */
export interface ControlPlaneDeps {
  readonly tasks: TaskStore;
  readonly rateLimiter: RateLimiter;
  /** Signs and checks `next_token`s, so a caller can neither forge one nor use another caller's. */
  readonly pageTokenKey: SigningKey;
  readonly clock: Clock;
  readonly sleeper: Sleeper;
  readonly ids: IdGenerator;
  /** A number in [0, 1) for retry jitter. */
  readonly random: () => number;
}

/** The locks in force, which stop evaluations and approvals, and which admins place and lift. */
export interface LockDeps extends ControlPlaneDeps {
  readonly locks: LockCatalog;
}

/** Repo settings: registering a task and judging a dry run resolve them; admins read and publish them. */
export interface SettingsDeps extends ControlPlaneDeps {
  readonly settings: SettingsStore;
  /** The settings of repos no admin published settings for. */
  readonly defaultSettings: RepoSettings;
}

/**
 * What deciding a request needs on top of the tables: the locks (nothing they stop may be approved)
 * and how recent a sign-in critical approvals need. No policy engine: a request carries the rules
 * its scopes may name.
 */
export interface DecisionDeps extends LockDeps {
  /** How recent a sign-in critical approvals need. */
  readonly freshSignIn: FreshSignInPolicy;
}

/**
 * What judging tool calls needs on top: the compiled policies, the shell parser and the locks. Only
 * the processes that evaluate policies build it, so the others load neither Cedar nor the parser.
 */
export interface EvaluationDeps extends LockDeps {
  readonly policies: PolicyCatalog;
  /** The shell parser, loaded once per process; the first call waits for it. */
  readonly shell: () => Promise<ShellParser>;
}
