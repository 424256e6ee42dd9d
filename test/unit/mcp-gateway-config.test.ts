import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expandVariables, parseGatewayConfig } from "../../mcp/gateway-config";

const EXAMPLE = join(__dirname, "../../examples/mcp-gateway/gates-mcp.json");
const valid = () => JSON.parse(readFileSync(EXAMPLE, "utf8"));

describe("the gateway configuration", () => {
  it("accepts the example in examples/mcp-gateway", () => {
    expect(parseGatewayConfig(valid(), EXAMPLE).upstreams).toHaveProperty("github");
  });

  type Config = {
    upstreams: unknown;
    task: Record<string, unknown>;
    control_plane: Record<string, unknown>;
    [field: string]: unknown;
  };
  it.each<[string, string, (c: Config) => unknown]>([
    [
      "an upstream name with the separator",
      "upstreams",
      (c) => Object.assign(c, { upstreams: { a__b: { command: "x" } } }),
    ],
    ["no upstream", "upstreams", (c) => Object.assign(c, { upstreams: {} })],
    [
      "an upstream that is neither a command nor a URL",
      "upstreams.a",
      (c) => Object.assign(c, { upstreams: { a: { path: "x" } } }),
    ],
    ["a task without an owner", "task.owner", (c) => Reflect.deleteProperty(c.task, "owner")],
    ["an unknown field", "(top level)", (c) => Object.assign(c, { approvers_override: ["me"] })],
    [
      "a control plane URL that is not http(s)",
      "control_plane.url",
      (c) => Object.assign(c.control_plane, { url: "file:///x" }),
    ],
  ])("refuses %s, naming %s", (_name, field, spoil) => {
    const config = valid() as Config;
    spoil(config);
    expect(() => parseGatewayConfig(config, "gateway.json")).toThrow(
      expect.objectContaining({
        name: "GatewayConfigError",
        message: expect.stringContaining(`\n  ${field}`),
      }),
    );
  });

  it("expands variables from the gateway's environment, and refuses one that is not set", () => {
    const ref = (name: string) => ["$", `{${name}}`].join("");
    expect(expandVariables(`Bearer ${ref("T")}`, { T: "abc" }, "h")).toBe("Bearer abc");
    expect(() => expandVariables(ref("MISSING"), {}, "upstreams.github.headers.Authorization")).toThrow(
      /upstreams\.github\.headers\.Authorization uses .*MISSING.*not set/,
    );
  });
});
