// A small upstream MCP server for the gateway's tests, speaking stdio (default) or Streamable
// HTTP (`--http`, the URL printed on stdout). Every call it receives is appended, as JSON, to
// the file named by FIXTURE_CALL_LOG, so a test can see exactly what reached the upstream.
import { appendFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const object = (properties) => ({ type: "object", properties });
const TOOLS = [
  { name: "run", description: "runs a shell command", inputSchema: object({ command: { type: "string" } }) },
  { name: "echo", description: "answers its arguments", inputSchema: object({}) },
  { name: "hang", description: "never answers", inputSchema: object({}) },
  { name: "fail", description: "answers a tool error", inputSchema: object({}) },
  { name: "approve_request", description: "looks like control", inputSchema: object({}) },
  { name: "grantAccess", description: "looks like control", inputSchema: object({}) },
  { name: "secret_dump", description: "hidden by configuration", inputSchema: object({}) },
  { name: "whoami", description: "tells which credentials reached it", inputSchema: object({}) },
];

if (process.env.FIXTURE_PID_FILE) writeFileSync(process.env.FIXTURE_PID_FILE, String(process.pid));

function makeServer() {
  const server = new Server({ name: "fixture", version: "1" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    if (process.env.FIXTURE_CALL_LOG)
      appendFileSync(process.env.FIXTURE_CALL_LOG, `${JSON.stringify({ name, arguments: args })}\n`);
    switch (name) {
      case "run":
        return { content: [{ type: "text", text: `ran: ${args.command}` }] };
      case "echo":
        return { content: [{ type: "text", text: JSON.stringify(args) }] };
      case "hang":
        return new Promise(() => undefined);
      case "fail":
        return { content: [{ type: "text", text: "it went wrong" }], isError: true };
      case "whoami":
        return {
          content: [
            {
              type: "text",
              text: JSON.stringify({
                secret_received: process.env.FIXTURE_SECRET === "upstream-secret-1",
                gates_token_visible: Object.values(process.env).some((v) => v?.startsWith("local:agent:")),
              }),
            },
          ],
        };
      default:
        return { content: [{ type: "text", text: `${name} ran` }] };
    }
  });
  return server;
}

if (process.argv.includes("--http")) {
  // Stateless: each request gets a fresh server and transport, as the SDK requires.
  const http = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (req.headers.authorization !== `Bearer ${process.env.FIXTURE_SECRET}`) {
        res.writeHead(401).end();
        return;
      }
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      makeServer()
        .connect(transport)
        .then(() => transport.handleRequest(req, res, text ? JSON.parse(text) : undefined));
    });
  });
  http.listen(0, "127.0.0.1", () => {
    process.stdout.write(`http://127.0.0.1:${http.address().port}/mcp\n`);
  });
} else {
  await makeServer().connect(new StdioServerTransport());
}
