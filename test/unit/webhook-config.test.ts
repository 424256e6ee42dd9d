import { readWebhookConfig } from "../../lambdas/adapters/webhooks/webhook-config";
import { localWebhooksFromEnv } from "../../local/local-control-plane";

const env = (value: unknown) => ({ GATES_WEBHOOKS: JSON.stringify(value) });
const SECRET = "s".repeat(32);

describe("GATES_WEBHOOKS", () => {
  it("is no endpoints when unset", () => {
    expect(readWebhookConfig({})).toEqual([]);
  });

  it("reads endpoints with a secret or a secret's name", () => {
    expect(
      readWebhookConfig(
        env([
          {
            id: "ops",
            url: "https://hooks.example.com/a",
            secret_name: "gates/ops",
            format: "adaptive-card",
          },
          { id: "local", url: "http://127.0.0.1:8080/hook", secret: SECRET },
        ]),
      ),
    ).toEqual([
      { id: "ops", url: "https://hooks.example.com/a", secret_name: "gates/ops", format: "adaptive-card" },
      { id: "local", url: "http://127.0.0.1:8080/hook", secret: SECRET },
    ]);
  });

  it.each([
    ["text that is not JSON", { GATES_WEBHOOKS: "[{" }, /not JSON/],
    [
      "plain http off this machine",
      env([{ id: "a", url: "http://hooks.example.com", secret: SECRET }]),
      /https/,
    ],
    [
      "credentials in the URL",
      env([{ id: "a", url: "https://u:p@hooks.example.com", secret: SECRET }]),
      /credentials/,
    ],
    [
      "both a secret and its name",
      env([{ id: "a", url: "https://h.example", secret: SECRET, secret_name: "n" }]),
      /exactly one/,
    ],
    ["neither", env([{ id: "a", url: "https://h.example" }]), /exactly one/],
    [
      "a short secret",
      env([{ id: "a", url: "https://h.example", secret: "short" }]),
      /GATES_WEBHOOKS is invalid/,
    ],
    [
      "an id twice",
      env([
        { id: "a", url: "https://h.example", secret: SECRET },
        { id: "a", url: "https://h.example", secret: SECRET },
      ]),
      /twice/,
    ],
    [
      "an id with capitals",
      env([{ id: "Ops", url: "https://h.example", secret: SECRET }]),
      /GATES_WEBHOOKS is invalid/,
    ],
    [
      "an unknown format",
      env([{ id: "a", url: "https://h.example", secret: SECRET, format: "xml" }]),
      /invalid/,
    ],
    ["an unknown field", env([{ id: "a", url: "https://h.example", secret: SECRET, retries: 9 }]), /invalid/],
  ])("refuses %s at start-up, naming the variable", (_name, given, message) => {
    expect(() => readWebhookConfig(given)).toThrow(message);
  });

  it("needs each endpoint's secret itself in local mode, which has no secret store", () => {
    expect(() =>
      localWebhooksFromEnv(env([{ id: "a", url: "https://h.example", secret_name: "n" }])),
    ).toThrow(/give its secret instead/);
    expect(localWebhooksFromEnv(env([{ id: "a", url: "https://h.example", secret: SECRET }]))).toEqual([
      { id: "a", url: "https://h.example", secret: SECRET, format: "json" },
    ]);
  });
});
