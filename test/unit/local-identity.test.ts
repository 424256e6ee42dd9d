import { type LocalIdentityContext, localTokenToContext } from "../../lambdas/adapters/http/local-identity";

/** The moment of the request, as the server's clock gives it. */
const NOW = "1800000000";

describe("localTokenToContext", () => {
  it.each<{ name: string; header: string; context: LocalIdentityContext }>([
    {
      name: "a human token",
      header: "Bearer local:human:alice",
      context: { claims: { sub: "alice", auth_time: NOW } },
    },
    {
      name: "an admin token",
      header: "Bearer local:admin:root",
      context: { claims: { sub: "root", auth_time: NOW, "cognito:groups": "gates-admins" } },
    },
    { name: "an agent token", header: "Bearer local:agent:bot-1", context: { userArn: "bot-1" } },
    {
      name: "a human token with identity groups",
      header: "Bearer local:human:alice;groups=release,ops",
      context: { claims: { sub: "alice", auth_time: NOW, "cognito:groups": "release,ops" } },
    },
    {
      name: "an admin token with more groups",
      header: "Bearer local:admin:root;groups=release",
      context: { claims: { sub: "root", auth_time: NOW, "cognito:groups": "gates-admins,release" } },
    },
    {
      name: "a human token with identity groups and the time of its sign-in",
      header: "Bearer local:human:alice;groups=ops auth_time=1700000000",
      context: { claims: { sub: "alice", auth_time: "1700000000", "cognito:groups": "ops" } },
    },
    {
      name: "an id with colons and slashes",
      header: "Bearer local:agent:arn:aws:iam::1:role/x",
      context: { userArn: "arn:aws:iam::1:role/x" },
    },
    {
      name: "a lower-case scheme",
      header: "bearer local:human:alice",
      context: { claims: { sub: "alice", auth_time: NOW } },
    },
    {
      name: "a human token with the time of its sign-in",
      header: "Bearer local:human:alice auth_time=1700000000",
      context: { claims: { sub: "alice", auth_time: "1700000000" } },
    },
    {
      name: "an admin token with the time of its sign-in",
      header: "Bearer local:admin:root auth_time=1700000000",
      context: { claims: { sub: "root", auth_time: "1700000000", "cognito:groups": "gates-admins" } },
    },
    {
      name: "an id of 256 characters",
      header: `Bearer local:human:${"a".repeat(256)}`,
      context: { claims: { sub: "a".repeat(256), auth_time: NOW } },
    },
  ])("accepts $name", ({ header, context }) => {
    // Act
    const result = localTokenToContext(header, Number(NOW));

    // Assess
    expect(result).toEqual(context);
  });

  it.each<{ name: string; header: string | undefined }>([
    { name: "no header", header: undefined },
    { name: "an empty header", header: "" },
    { name: "an empty id", header: "Bearer local:human:" },
    { name: "an id of 257 characters", header: `Bearer local:human:${"a".repeat(257)}` },
    { name: "an id with a space", header: "Bearer local:human:al ice" },
    { name: "an id with a tab", header: "Bearer local:agent:a\tb" },
    { name: "an id with a control character", header: "Bearer local:agent:a\u0000b" },
    { name: "an id with a newline", header: "Bearer local:agent:a\nb" },
    { name: "an unknown kind", header: "Bearer local:root:alice" },
    { name: "a group with a space", header: "Bearer local:human:alice;groups=re lease" },
    { name: "an empty id before groups", header: "Bearer local:human:;groups=ops" },
    { name: "an agent token with a sign-in time", header: "Bearer local:agent:bot auth_time=1700000000" },
    { name: "a sign-in time that is not a number", header: "Bearer local:human:alice auth_time=soon" },
    { name: "a sign-in time without its name", header: "Bearer local:human:alice 1700000000" },
    { name: "a sign-in time and more", header: "Bearer local:human:alice auth_time=1 x" },
    { name: "an upper-case kind", header: "Bearer local:HUMAN:alice" },
    { name: "a missing local prefix", header: "Bearer human:alice" },
    { name: "a different prefix", header: "Bearer remote:human:alice" },
    { name: "no scheme", header: "local:human:alice" },
    { name: "the Basic scheme", header: "Basic local:human:alice" },
    { name: "a real-looking JWT", header: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x" },
    {
      name: "a SigV4 header",
      header: "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/execute-api/aws4_request",
    },
  ])("refuses $name", ({ header }) => {
    // Act
    const result = localTokenToContext(header);

    // Assess
    expect(result).toBeUndefined();
  });
});
