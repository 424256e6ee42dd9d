import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GatesClient } from "../../../sdk/gates-client";

/** Starts a server on a free loopback port; returns its URL. */
function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

describe("the SDK and redirects", () => {
  const seenElsewhere: IncomingHttpHeaders[] = [];
  const elsewhere = createServer((req, res) => {
    seenElsewhere.push(req.headers);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", version: "x" }));
  });
  let target = "";
  const redirecting = createServer((_req, res) => {
    res.writeHead(307, { location: `${target}/v1/health` });
    res.end();
  });
  let api = "";
  beforeAll(async () => {
    target = await listen(elsewhere);
    api = await listen(redirecting);
  });
  afterAll(async () => {
    await new Promise((r) => elsewhere.close(r));
    await new Promise((r) => redirecting.close(r));
  });

  it("refuses to follow one, so the token never reaches another host", async () => {
    // Prepare
    const client = new GatesClient({
      url: api,
      auth: { token: "local:human:alice" },
      retry: { attempts: 1 },
    });

    // Act
    const outcome = client.health();

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: "NETWORK_ERROR" });
    expect(seenElsewhere).toEqual([]);
  });
});
