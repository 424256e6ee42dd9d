import type { Authorizer } from "../api";

/** Who is signed in, as the console shows it. */
export interface SignedIn {
  /** The approver id the API knows (a Cognito `sub`, or the local id). */
  readonly id: string;
  /** What to call them: an email or user name where the token has one. */
  readonly label: string;
  readonly admin: boolean;
  /** When they authenticated, epoch seconds, as their token says. */
  readonly authTime: number | undefined;
}

/** A signed-in session: its credentials live in this object, in memory only. */
export interface Session {
  readonly local: boolean;
  readonly user: SignedIn;
  readonly authorize: Authorizer;
  /** Signs the human in again (a fresh authentication), then shows `returnTo` (a hash route). */
  reauthenticate(returnTo: string): void;
  /** Forgets the credentials (and in AWS ends the Hosted UI's session too). */
  signOut(): void;
}
