/**
 * A receiver of Approval Gates webhooks in TypeScript, with nothing but Node's standard library:
 * it checks the signature and the timestamp, drops repeats by delivery id, and hands each new
 * delivery to `onDelivery`. Run it with `GATES_WEBHOOK_SECRET=… npx tsx receiver.ts 8080`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";

/** How far the signed timestamp may be from this clock before a delivery is refused as a replay. */
const TOLERANCE_S = 300;

/** The JSON body of a delivery (format "json"). */
export interface GatesDelivery {
  readonly id: string;
  readonly type: "approval.requested" | "approval.voted" | "approval.decided";
  readonly at: string;
  readonly event: { readonly task_id: string; readonly seq: number; readonly data: Record<string, unknown> };
  readonly approval: {
    readonly task_id: string;
    readonly request_id: string;
    readonly status: "PENDING" | "APPROVED" | "DENIED" | "TIMED_OUT" | "CANCELLED";
    readonly tool_name: string;
    readonly decided_by?: string;
    readonly scope?: string;
    readonly deny_reason?: string;
  };
}

/** Whether `signature` is HMAC-SHA256 of `<timestamp>.<body>` under `secret`, with a fresh timestamp. */
export function verify(
  secret: string,
  timestamp: string,
  signature: string,
  body: string,
  now = Date.now(),
): boolean {
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_S) return false;
  const expected = Buffer.from(
    `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A receiver on `port`. Answers 401 to a bad signature or a stale timestamp, 200 to a repeat
 * (without calling `onDelivery` again) and 200 once `onDelivery` has taken a new delivery.
 */
export function startReceiver(
  secret: string,
  port: number,
  onDelivery: (delivery: GatesDelivery) => Promise<void> | void,
): Server {
  // Delivery ids seen within the tolerance; older repeats are refused by their timestamp anyway.
  const seen = new Map<string, number>();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const timestamp = String(req.headers["x-gates-timestamp"] ?? "");
      const signature = String(req.headers["x-gates-signature"] ?? "");
      const id = String(req.headers["x-gates-delivery"] ?? "");
      if (!verify(secret, timestamp, signature, body)) {
        res.writeHead(401).end("bad signature");
        return;
      }
      const now = Date.now();
      for (const [key, at] of seen) if (now - at > 2 * TOLERANCE_S * 1000) seen.delete(key);
      if (seen.has(id)) {
        res.writeHead(200).end("duplicate");
        return;
      }
      try {
        await onDelivery(JSON.parse(body) as GatesDelivery);
        seen.set(id, now);
        res.writeHead(200).end("ok");
      } catch {
        // A 5xx makes Approval Gates retry the delivery later, with the same id.
        res.writeHead(503).end("try again");
      }
    });
  }).listen(port, "127.0.0.1");
}

if (require.main === module) {
  const secret = process.env.GATES_WEBHOOK_SECRET;
  if (!secret) throw new Error("set GATES_WEBHOOK_SECRET to the endpoint's secret");
  startReceiver(secret, Number(process.argv[2] ?? 8080), (d) => {
    console.log(`${d.type} ${d.approval.task_id}/${d.approval.request_id}: ${d.approval.status}`);
  });
}
