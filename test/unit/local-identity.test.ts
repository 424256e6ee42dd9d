import { type LocalIdentityContext, localTokenToContext } from "../../lambdas/adapters/http/local-identity";

describe("localTokenToContext", () => {
  it.each<{ name: string; header: string; context: LocalIdentityContext }>([
    { name: "a human token", header: "Bearer local:human:alice", context: { claims: { sub: "alice" } } },
    {
      name: "an admin token",
      header: "Bearer local:admin:root",
      context: { claims: { sub: "root", "cognito:groups": "gates-admins" } },
    },
    { name: "an agent token", header: "Bearer local:agent:bot-1", context: { userArn: "bot-1" } },
    {
      name: "a human token with identity groups",
      header: "Bearer local:human:alice;groups=release,ops",
      context: { claims: { sub: "alice", "cognito:groups": "release,ops" } },
    },
    {
      name: "an admin token with more groups",
      header: "Bearer local:admin:root;groups=release",
      context: { claims: { sub: "root", "cognito:groups": "gates-admins,release" } },
    },
    {
      name: "an id with colons and slashes",
      header: "Bearer local:agent:arn:aws:iam::1:role/x",
      context: { userArn: "arn:aws:iam::1:role/x" },
    },
    {
      name: "a lower-case scheme",
      header: "bearer local:human:alice",
      context: { claims: { sub: "alice" } },
    },
    {
      name: "an id of 256 characters",
      header: `Bearer local:human:${"a".repeat(256)}`,
      context: { claims: { sub: "a".repeat(256) } },
    },
  ])("accepts $name", ({ header, context }) => {
    // Act
    const result = localTokenToContext(header);

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
