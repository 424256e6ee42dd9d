import { Agent, request } from "node:http";

/**
 * A keep-alive JSON client over node:http, as a long-running agent would use. Node 20's
 * fetch adds about 3 ms per call on loopback, which would measure the client, not the API.
 */
export function keepAliveClient() {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const u = new URL(url);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: `${u.pathname}${u.search}`,
          method,
          agent,
          headers: { ...headers, ...(text ? { "content-length": String(Buffer.byteLength(text)) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(text);
    });
  return {
    call,
    close: () => agent.destroy(),
  };
}
