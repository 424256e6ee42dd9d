// The contract's limits and id patterns, apart from the zod schemas that use them, so code that
// must start fast (the Claude Code hook runs once per tool call) can read them without loading zod.

/** Limits of the REST contract, in one place. */
export const LIMITS = {
  maxBodyBytes: 256 * 1024,
  /** Levels of arrays and objects in a JSON body, the body itself being level 1. */
  maxJsonDepth: 64,
  maxToolInputBytes: 64 * 1024,
  maxToolNameLength: 128,
  maxApprovers: 20,
  maxInitialGrants: 20,
  maxGrants: 50,
  maxDescription: 2000,
  maxDenyReasonIn: 4000,
  maxDenyReasonStored: 2000,
  maxWaitS: 25,
  maxOutcomeText: 2000,
  defaultListLimit: 50,
  maxListLimit: 100,
} as const;

export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
