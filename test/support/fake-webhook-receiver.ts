import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook, WEBHOOK_HEADERS } from "../../lambdas/core/webhooks/signature";

/** One POST as the receiver got it, with whether its signature held. */
export interface ReceivedDelivery {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Whether `X-Gates-Signature` verified under the receiver's secret, at arrival. */
  readonly verified: boolean;
  /** The status the receiver answered. */
  readonly status: number;
}

/** What the next POSTs are answered with, in order. */
export type ScriptedAnswer = { readonly status: number } | { readonly hang: true };

/** A webhook endpoint on loopback that verifies what it gets, as a receiver in production should. */
export interface FakeWebhookReceiver {
  /** The endpoint's URL on 127.0.0.1. */
  readonly url: string;
  readonly secret: string;
  /** Every POST, in arrival order, failed attempts included. */
  readonly received: ReceivedDelivery[];
  /** The deliveries answered 2xx, each id once: what a receiver that drops repeats acts on. */
  accepted(): ReceivedDelivery[];
  /** Answers the next `times` POSTs with `answer`; answers queue up in order. @default times Infinity */
  script(answer: ScriptedAnswer, times?: number): void;
  /** Drops the scripted answers and answers every hung request with 503. */
  heal(): void;
  close(): Promise<void>;
}

/**
 * Starts a receiver on a free port. A hung request is held open (the sender times out); `heal` and
 * `close` end the held ones.
 */
export async function startFakeWebhookReceiver(
  secret = "whsec-test-0123456789abcdef",
): Promise<FakeWebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const answers: { answer: ScriptedAnswer; left: number }[] = [];
  const held = new Set<ServerResponse>();

  const nextAnswer = (): ScriptedAnswer => {
    const head = answers[0];
    if (head === undefined) return { status: 200 };
    head.left -= 1;
    if (head.left <= 0) answers.shift();
    return head.answer;
  };

  const header = (req: IncomingMessage, name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const verified = verifyWebhook(
        secret,
        {
          signature: header(req, WEBHOOK_HEADERS.signature),
          timestamp: header(req, WEBHOOK_HEADERS.timestamp),
          body,
        },
        new Date(),
      ).ok;
      const answer = nextAnswer();
      const status = "hang" in answer ? 0 : answer.status;
      received.push({
        id: header(req, WEBHOOK_HEADERS.delivery),
        event: header(req, WEBHOOK_HEADERS.event),
        body,
        headers: req.headers,
        verified,
        status,
      });
      if ("hang" in answer) {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const releaseHeld = () => {
    for (const res of held) res.writeHead(503).end();
    held.clear();
  };
  return {
    url: `http://127.0.0.1:${port}/hooks/gates`,
    secret,
    received,
    accepted() {
      const seen = new Set<string>();
      return received.filter((d) => {
        if (d.status < 200 || d.status >= 300 || d.id === undefined || seen.has(d.id)) return false;
        seen.add(d.id);
        return true;
      });
    },
    script(answer, times = Number.POSITIVE_INFINITY) {
      answers.push({ answer, left: times });
    },
    heal() {
      answers.length = 0;
      releaseHeld();
    },
    async close() {
      releaseHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
