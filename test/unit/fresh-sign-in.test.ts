import { checkFreshSignIn, requireFreshSignIn } from "../../lambdas/core/control-plane/fresh-sign-in";
import { ReauthenticationRequiredError } from "../../lambdas/core/errors";
import type { Principal } from "../../lambdas/core/principal";

const NOW = new Date("2027-01-15T08:00:00Z");
const NOW_S = NOW.getTime() / 1000;
const POLICY = { criticalMaxAgeS: 600 };
const human = (authTime?: number): Principal => ({
  kind: "human",
  id: "alice",
  admin: false,
  ...(authTime !== undefined ? { authTime } : {}),
});

describe("checkFreshSignIn", () => {
  it.each<{ name: string; severity: string; principal: Principal; ok: boolean }>([
    { name: "a high request, whatever the sign-in", severity: "high", principal: human(0), ok: true },
    { name: "a medium request without a sign-in time", severity: "medium", principal: human(), ok: true },
    {
      name: "a critical request, signed in just now",
      severity: "critical",
      principal: human(NOW_S),
      ok: true,
    },
    {
      name: "a critical request, signed in exactly at the limit",
      severity: "critical",
      principal: human(NOW_S - 600),
      ok: true,
    },
    {
      name: "a critical request, a second past the limit",
      severity: "critical",
      principal: human(NOW_S - 601),
      ok: false,
    },
    {
      name: "a critical request without a sign-in time",
      severity: "critical",
      principal: human(),
      ok: false,
    },
    {
      name: "a critical request with a sign-in time that is no number",
      severity: "critical",
      principal: human(Number.NaN),
      ok: false,
    },
    {
      name: "a critical request signed in the future (clock skew)",
      severity: "critical",
      principal: human(NOW_S + 30),
      ok: true,
    },
    {
      name: "a critical request from an agent",
      severity: "critical",
      principal: { kind: "agent", id: "bot" },
      ok: false,
    },
  ])("decides $name: ok=$ok", ({ severity, principal, ok }) => {
    // Act
    const check = checkFreshSignIn(severity, principal, NOW, POLICY);

    // Assess
    expect(check.ok).toBe(ok);
  });
});

describe("requireFreshSignIn", () => {
  it("throws REAUTHENTICATION_REQUIRED saying how old the sign-in is, the limit, and what to do", () => {
    // Act
    let caught: unknown;
    try {
      requireFreshSignIn("critical", human(NOW_S - 3600), NOW, POLICY);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ReauthenticationRequiredError);
    const error = caught as ReauthenticationRequiredError;
    expect(error.code).toBe("REAUTHENTICATION_REQUIRED");
    expect(error.message).toContain("at most 10 minutes old");
    expect(error.message).toContain("you signed in 60 minutes ago");
    expect(error.message).toContain("Sign in again");
    expect(error.details).toEqual({ max_age_s: 600, auth_time: "2027-01-15T07:00:00.000Z" });
  });

  it("says so when the credentials carry no sign-in time", () => {
    expect(() => requireFreshSignIn("critical", human(), NOW, POLICY)).toThrow(/carry no sign-in time/);
  });
});
