import type { SlackUser } from "./payloads";

/** A pending one-time code: which Slack user asked for it, and until when it works. */
export interface LinkCodeRecord extends SlackUser {
  readonly code: string;
  readonly expiresAt: Date;
}

/** Why binding a code failed, so the use case can tell the human what to do. */
export type BindResult = "linked" | "no_code" | "already_linked";

/** Links between Slack users and humans, and the one-time codes that create them. */
export interface SlackLinkStore {
  /** The human a Slack user is linked to, if any. */
  humanOf(user: SlackUser): Promise<string | undefined>;
  /** Stores a new code; codes carry their own expiry and vanish later by TTL. */
  putCode(record: LinkCodeRecord): Promise<void>;
  /** The code if it exists and has not expired at `now`. */
  getCode(code: string, now: Date): Promise<LinkCodeRecord | undefined>;
  /**
   * Consumes the code and links its Slack user to `humanId` in one transaction: the code must
   * still exist and be unexpired, and the Slack user must not be linked yet.
   */
  bind(code: LinkCodeRecord, humanId: string, now: Date): Promise<BindResult>;
  /** Removes every link to `humanId`; returns how many there were. */
  unlinkHuman(humanId: string): Promise<number>;
}

/** Where a secret comes from: an environment variable locally, a secret store in AWS. */
export interface SecretSource {
  /** The secret's value, or `undefined` when none is configured. */
  get(): Promise<string | undefined>;
}

/** A message only the clicking user sees. */
export interface EphemeralMessage {
  readonly text: string;
}

/** Posts an ephemeral reply to an interaction's `response_url`. */
export interface ResponsePoster {
  post(responseUrl: string, message: EphemeralMessage): Promise<void>;
}

/** Opens the deny modal for a click, with the `trigger_id` Slack gave it. */
export interface ModalOpener {
  openDenyModal(triggerId: string, privateMetadata: string): Promise<void>;
}

/** What the Slack doors need beyond the control plane's own dependencies. */
export interface SlackInboundDeps {
  readonly links: SlackLinkStore;
  readonly signingSecret: SecretSource;
  readonly responses: ResponsePoster;
  readonly modals: ModalOpener;
  /** Cryptographically strong bytes for link codes. */
  readonly randomBytes: (size: number) => Uint8Array;
}
