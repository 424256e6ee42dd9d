import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients } from "../../lambdas/adapters/dynamo/clients";
import { ensureTables } from "../../lambdas/adapters/dynamo/create-tables";
import { tableNames } from "../../lambdas/adapters/dynamo/tables";
import {
  type DynamoDbLocal,
  DynamoDbLocalError,
  findFreePort,
  startDynamoDbLocal,
} from "../../local/dynamodb-local";

/** True while a process with this id exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // Errors from Node's own modules come from another realm than the test's Error.
    if (typeof error === "object" && error !== null && "code" in error && error.code === "ESRCH")
      return false;
    throw error;
  }
}

/** Waits until a process is gone, for at most `timeoutMs`. */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

let scratch: string;
const started: DynamoDbLocal[] = [];

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), "gates-dynamodb-local-"));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.stop()));
  await rm(scratch, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startDynamoDbLocal>[0] = {}): Promise<DynamoDbLocal> {
  const dynamo = await startDynamoDbLocal(options);
  started.push(dynamo);
  return dynamo;
}

describe("startDynamoDbLocal", () => {
  it("keeps data in its data directory across a stop and a start", async () => {
    // Prepare
    const dataDir = join(scratch, "data");
    const names = tableNames("persist");
    const first = await start({ dataDir });
    const one = createDynamoClients({ region: "local", endpoint: first.endpoint });
    await ensureTables(one.client, names);
    await one.doc.send(new PutCommand({ TableName: names.Tasks, Item: { task_id: "kept", version: 1 } }));
    one.client.destroy();
    await first.stop();

    // Act
    const second = await start({ dataDir });
    const two = createDynamoClients({ region: "other-region", endpoint: second.endpoint });
    const { Item: item } = await two.doc.send(
      new GetCommand({ TableName: names.Tasks, Key: { task_id: "kept" } }),
    );
    two.client.destroy();

    // Assess
    expect(item).toEqual({ task_id: "kept", version: 1 });
    // Two JVM starts, each of which can take 20 s on a busy machine.
  }, 120_000);

  it("leaves no Java process behind after stop", async () => {
    // Prepare
    const dynamo = await start();
    expect(isAlive(dynamo.pid)).toBe(true);

    // Act
    await dynamo.stop();
    await dynamo.stop();

    // Assess
    expect(isAlive(dynamo.pid)).toBe(false);
  });

  it("takes Java down with it when Node is killed with SIGKILL", async () => {
    // Prepare
    const script = `require(${JSON.stringify(require.resolve("../../local/dynamodb-local"))})
      .startDynamoDbLocal().then((d) => console.log(d.pid));`;
    const node = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(node.stdout, "data")) as [Buffer];
    const javaPid = Number(line.toString().trim());
    expect(isAlive(javaPid)).toBe(true);

    // Act
    node.kill("SIGKILL");

    // Assess
    const gone = await waitForExit(javaPid, 10_000);
    if (!gone) process.kill(javaPid, "SIGKILL");
    expect(gone).toBe(true);
  });

  it("listens on the port it is given", async () => {
    // Prepare
    const port = await findFreePort();

    // Act
    const dynamo = await start({ port });

    // Assess
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${port}`);
  });

  it("refuses a port that is taken, in one line", async () => {
    // Prepare
    const taken = await start();

    // Act
    const error: unknown = await startDynamoDbLocal({ port: taken.port }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DynamoDbLocalError);
    expect(error instanceof Error ? error.message : "").toMatch(/^Port \d+ is already in use: [^\n]+$/);
  });

  it("explains a missing Java in one line", async () => {
    // Act
    const error: unknown = await startDynamoDbLocal({ javaCommand: join(scratch, "no-such-java") }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(DynamoDbLocalError);
    expect(error instanceof Error ? error.message : "").toMatch(
      /^Java 17\+ is required for local mode[^\n]+apt-get[^\n]+$/,
    );
  });

  it("refuses a Java older than 17 in one line", async () => {
    // Prepare
    const fakeJava = join(scratch, "java");
    await writeFile(fakeJava, "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n");
    await chmod(fakeJava, 0o755);

    // Act
    const error: unknown = await startDynamoDbLocal({ javaCommand: fakeJava }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DynamoDbLocalError);
    expect(error instanceof Error ? error.message : "").toMatch(
      /^Java 11 was found, but [^\n]+Java 17\+[^\n]+$/,
    );
  });
});
