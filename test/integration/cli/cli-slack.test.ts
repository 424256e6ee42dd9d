import { type Harness, startHarness } from "../../support/control-plane-harness";
import { linkCodeFor, type SlackPerson } from "../slack/slack-fakes";
import { gates, jsonOf } from "./run-cli";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const CAROL = "local:human:carol";
const carolInSlack: SlackPerson = { team: "T1", user: "UCAROL" };

describe("gates slack link and unlink", () => {
  it("links with the code /gates link showed, refuses a second link, and unlinks", async () => {
    const code = await linkCodeFor(h, carolInSlack);

    const linked = await gates(h.plane.url, CAROL, ["slack", "link", code.toLowerCase().replace("-", "")]);
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain("Linked Slack user UCAROL (team T1).");

    const again = await gates(h.plane.url, CAROL, [
      "slack",
      "link",
      await linkCodeFor(h, { team: "T1", user: "UOTHER" }),
    ]);
    expect(again.code).toBe(0);
    const reused = await gates(h.plane.url, CAROL, ["slack", "link", code]);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toContain("VALIDATION_ERROR");

    const unlinked = jsonOf(await gates(h.plane.url, CAROL, ["--json", "slack", "unlink"]));
    expect(unlinked).toEqual({ unlinked: 2 });
    const nothing = await gates(h.plane.url, CAROL, ["slack", "unlink"]);
    expect(nothing.stdout).toContain("No Slack account was linked.");
  });

  it("refuses a code that was never issued with a usable message and exit 1", async () => {
    const run = await gates(h.plane.url, CAROL, ["slack", "link", "ZZZZ-ZZZZ"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error VALIDATION_ERROR: /);
  });
});
