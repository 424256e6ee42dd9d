/** Who is calling: taken only from the API Gateway request context, never from the body. */
export type Principal =
  | { readonly kind: "agent"; readonly id: string }
  | {
      readonly kind: "human";
      readonly id: string;
      readonly admin: boolean;
      /** Identity groups (Cognito groups) of the caller, when the credentials carry them. */
      readonly groups?: readonly string[];
      /**
       * When the human last authenticated, in seconds since the epoch: the id token's `auth_time`
       * claim, which a token refresh keeps. Absent when the credentials carry none (identity-pool
       * signatures, Slack), which counts as no recent sign-in.
       */
      readonly authTime?: number;
    };

export const ADMIN_GROUP = "gates-admins";

/** The Cognito group whose members approve every repo under the strict default settings. */
export const APPROVER_GROUP = "gates-approvers";
