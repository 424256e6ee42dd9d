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
  readonly policies: PolicyCatalog;
  /** The shell parser, loaded once per process; the first call waits for it. */
  readonly shell: () => Promise<ShellParser>;
  readonly settings: SettingsStore;
  /** The settings of repos no admin published settings for. */
  readonly defaultSettings: RepoSettings;
  readonly locks: LockCatalog;
  readonly rateLimiter: RateLimiter;
  /** Signs and checks `next_token`s, so a caller can neither forge one nor use another caller's. */
  readonly pageTokenKey: SigningKey;
  readonly clock: Clock;
  readonly sleeper: Sleeper;
  readonly ids: IdGenerator;
  /** A number in [0, 1) for retry jitter. */
  readonly random: () => number;
  /** How recent a sign-in critical approvals need. */
  readonly freshSignIn: FreshSignInPolicy;
}
