import { resolveTarget } from "../../cli/target";

const A = "https://a.example.com/prod";
const login = { id_token: "id", expires_at: 1, client_id: "c", region: "eu-west-1", username: "alice" };

describe("resolveTarget", () => {
  it.each([
    {
      name: "an explicit token goes to whatever URL is asked for",
      flags: { url: "https://b.example.com", token: "t" },
      env: {},
      profile: { url: A, token: "saved" },
      expected: {
        url: "https://b.example.com",
        credentials: { kind: "token", token: "t", source: "--token" },
      },
    },
    {
      name: "GATES_TOKEN is explicit too",
      flags: {},
      env: { GATES_TOKEN: "e", GATES_URL: "http://127.0.0.1:9" },
      profile: { url: A, login },
      expected: {
        url: "http://127.0.0.1:9",
        credentials: { kind: "token", token: "e", source: "GATES_TOKEN" },
      },
    },
    {
      name: "the profile's sign-in goes to the profile's own URL",
      flags: {},
      env: {},
      profile: { url: A, login },
      expected: { url: A, credentials: { kind: "login", login } },
    },
    {
      name: "the same origin under another path is the same API host",
      flags: { url: "https://a.example.com/dev" },
      env: {},
      profile: { url: A, token: "saved" },
      expected: {
        url: "https://a.example.com/dev",
        credentials: { kind: "token", token: "saved", source: "profile" },
      },
    },
    {
      name: "SigV4 takes no saved token",
      flags: { sigv4: true },
      env: {},
      profile: { url: A, token: "saved" },
      expected: { url: A, credentials: { kind: "sigv4" } },
    },
    {
      name: "nothing saved and nothing given is no credentials at the local default",
      flags: {},
      env: {},
      profile: undefined,
      expected: { url: "http://127.0.0.1:3000", credentials: { kind: "none" } },
    },
  ])("$name", ({ flags, env, profile, expected }) => {
    // Act
    const target = resolveTarget({ flags, env, profileName: "p", profile });

    // Assess
    expect(target).toEqual(expected);
  });

  it.each([
    ["another host", "https://b.example.com/prod"],
    ["another scheme", "http://a.example.com/prod"],
    ["another port", "https://a.example.com:8443/prod"],
  ])("withholds the profile's credentials from %s", (_what, url) => {
    // Act
    const target = resolveTarget({ flags: { url }, env: {}, profileName: "p", profile: { url: A, login } });

    // Assess
    expect(target.credentials).toEqual({ kind: "none" });
    expect(target.withheld).toContain(`not sent to ${url}`);
  });
});
