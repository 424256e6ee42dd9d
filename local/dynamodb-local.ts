import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoClients } from "../lambdas/adapters/dynamo/clients";

/** How to run DynamoDB Local. */
export interface DynamoDbLocalOptions {
  /**
   * The port to listen on.
   * @default a free port chosen by the operating system
   */
  readonly port?: number;
  /**
   * A directory for a persistent database, created if missing.
   * @default the database lives in memory and is lost on stop
   */
  readonly dataDir?: string;
  /**
   * The host in the endpoint URL. DynamoDB Local itself listens on every interface; it has no
   * option to bind one.
   * @default "127.0.0.1"
   */
  readonly host?: string;
  /**
   * How long to wait for the first successful request before giving up.
   * @default 15000
   */
  readonly startTimeoutMs?: number;
  /**
   * The Java executable, e.g. "/usr/lib/jvm/java-17-openjdk-amd64/bin/java".
   * @default "java", looked up on PATH
   */
  readonly javaCommand?: string;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** The URL for the SDK's `endpoint`, e.g. "http://127.0.0.1:8000". */
  readonly endpoint: string;
  readonly port: number;
  /** The Java process id. */
  readonly pid: number;
  /** Stops the Java process (SIGTERM, then SIGKILL after a grace period) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** A failure to start DynamoDB Local whose message is a complete, one-line explanation for the user. */
export class DynamoDbLocalError extends Error {
  override readonly name = "DynamoDbLocalError";
}

const MIN_JAVA_MAJOR = 17;
const JAVA_FIX = 'install it, e.g. "sudo apt-get install openjdk-17-jre-headless", then retry.';
const JAVA_MISSING = `Java ${MIN_JAVA_MAJOR}+ is required for local mode (DynamoDB Local): ${JAVA_FIX}`;
const DEFAULT_HOST = "127.0.0.1";
// A JVM starting on a busy two-core machine (a laptop running tests, a CI runner) can take 20 s.
const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 2_000;
/** A port picked by the OS can be taken again before Java binds it, so a lost race gets a new port. */
const FREE_PORT_ATTEMPTS = 3;
const STDERR_TAIL_CHARS = 4_000;

/**
 * Starts DynamoDB Local (the jar shipped in `amplify-dynamodb-simulator`) with the machine's Java,
 * in one shared database so every region and credential sees the same tables, and resolves once
 * it answers a request.
 *
 * The Java process does not outlive this Node process: an exit handler kills it on a normal exit
 * or an uncaught exception, and a small watchdog process kills it when Node dies any other way
 * (a signal, even SIGKILL), because exit handlers do not run then. A composition root should
 * still handle SIGINT and SIGTERM by calling `stop()`, so shutdown is orderly.
 *
 * @throws DynamoDbLocalError when Java is missing or too old, the port is taken, or the emulator
 * does not become ready in time
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = options.javaCommand ?? "java";
  await assertJava(java);
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const host = options.host ?? DEFAULT_HOST;
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;

  if (options.port !== undefined) {
    await assertPortFree(options.port);
    return launch(java, options.port, host, dataDir, timeoutMs);
  }
  for (let attempt = 1; ; attempt += 1) {
    const port = await findFreePort();
    try {
      return await launch(java, port, host, dataDir, timeoutMs);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= FREE_PORT_ATTEMPTS) throw error;
    }
  }
}

/** Finds a port that is free right now by listening on 127.0.0.1:0 and closing again. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, DEFAULT_HOST, done);
  });
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("could not read the listening port");
  return address.port;
}

class PortTakenError extends DynamoDbLocalError {}

function portTakenMessage(port: number): string {
  return `Port ${port} is already in use: stop what listens there or choose another port for DynamoDB Local.`;
}

async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  try {
    // Java binds every interface, so the port must be free on all of them.
    await new Promise<void>((done, fail) => {
      server.once("error", fail);
      server.listen(port, "0.0.0.0", done);
    });
  } catch (error) {
    if (errorCode(error) === "EADDRINUSE") throw new PortTakenError(portTakenMessage(port));
    throw error;
  }
  await new Promise<void>((done) => server.close(() => done()));
}

async function assertJava(java: string): Promise<void> {
  const output = await new Promise<string>((done, fail) => {
    execFile(java, ["-version"], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (errorCode(error) === "ENOENT") {
        fail(new DynamoDbLocalError(JAVA_MISSING));
      } else {
        // Any other failure surfaces with more detail when the emulator itself is spawned.
        done(`${stderr}${stdout}`);
      }
    });
  });
  const major = javaMajorVersion(output);
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    throw new DynamoDbLocalError(
      `Java ${major} was found, but local mode (DynamoDB Local) needs Java ${MIN_JAVA_MAJOR}+: ${JAVA_FIX}`,
    );
  }
}

/** Reads the major version from `java -version`, which says "1.8.0_392" for Java 8 and "17.0.15" later. */
function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

function emulatorDir(): string {
  try {
    return join(dirname(require.resolve("amplify-dynamodb-simulator/package.json")), "emulator");
  } catch {
    throw new DynamoDbLocalError(
      'DynamoDB Local ships in the npm package "amplify-dynamodb-simulator", which is not installed: run "npm install", then retry.',
    );
  }
}

async function launch(
  java: string,
  port: number,
  host: string,
  dataDir: string | undefined,
  timeoutMs: number,
): Promise<DynamoDbLocal> {
  const emulator = emulatorDir();
  const storage = dataDir === undefined ? ["-inMemory"] : ["-dbPath", dataDir];
  const args = [
    `-Djava.library.path=${join(emulator, "DynamoDBLocal_lib")}`,
    "-jar",
    join(emulator, "DynamoDBLocal.jar"),
    ...storage,
    "-sharedDb",
    "-disableTelemetry",
    "-port",
    String(port),
  ];
  // The jar writes a telemetry metadata file into its working directory, which must not be node_modules.
  const workDir = dataDir ?? join(tmpdir(), "gates-dynamodb-local");
  await mkdir(workDir, { recursive: true });
  const child = spawn(java, args, { cwd: workDir, stdio: ["ignore", "pipe", "pipe"] });
  const state = watch(child, port);
  const endpoint = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  try {
    await waitUntilReady(state, endpoint, timeoutMs, port);
  } catch (error) {
    await terminate(child, state.exited, "SIGKILL");
    throw error;
  }
  const pid = child.pid;
  if (pid === undefined) throw new DynamoDbLocalError("DynamoDB Local started without a process id.");
  return { endpoint, port, pid, stop: () => terminate(child, state.exited, "SIGTERM") };
}

interface ChildState {
  /** Why the process can no longer become ready, once known. */
  failure: Error | undefined;
  /** Settles when the process has exited or could not be spawned. */
  readonly exited: Promise<void>;
}

function watch(child: ChildProcess, port: number): ChildState {
  let stderr = "";
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);
  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid);
  const forget = (): void => {
    process.off("exit", killOnExit);
    watchdog?.kill("SIGKILL");
  };

  const state: ChildState = {
    failure: undefined,
    exited: new Promise<void>((done) => {
      child.once("exit", () => {
        forget();
        done();
      });
      child.once("error", (error) => {
        forget();
        state.failure ??= new DynamoDbLocalError(
          errorCode(error) === "ENOENT"
            ? JAVA_MISSING
            : `Could not run Java for DynamoDB Local: ${error.message}`,
        );
        done();
      });
    }),
  };
  // Unread pipes fill up and stall the emulator, so stdout is drained even though nothing uses it.
  child.stdout?.resume();
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    // Java stays alive after a failed bind, so the message is the only sign.
    if (state.failure === undefined && /BindException|Failed to bind/.test(stderr)) {
      state.failure = new PortTakenError(portTakenMessage(port));
    }
  });
  // "close" rather than "exit" so the stderr tail is complete.
  child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
    const tail = stderr.trim().split("\n").slice(-10).join(" | ") || "no output";
    state.failure ??= new DynamoDbLocalError(
      `DynamoDB Local exited (${signal ?? `code ${code}`}) before it was ready: ${tail}`,
    );
  });
  return state;
}

/** Kills the pid once its stdin closes, which happens when the process that spawned it dies. */
const WATCHDOG_SCRIPT = `
const kill = () => { try { process.kill(Number(process.argv[1]), "SIGKILL"); } catch {} process.exit(0); };
process.stdin.on("end", kill).on("close", kill).on("error", kill).resume();
`;

/**
 * Starts a process that kills `pid` when this Node process dies, however it dies. It neither
 * keeps this process alive nor inherits its loaders, so it stays small and fast.
 */
function startWatchdog(pid: number): ChildProcess {
  const watchdog = spawn(process.execPath, ["-e", WATCHDOG_SCRIPT, String(pid)], {
    stdio: ["pipe", "ignore", "ignore"],
    env: { ...process.env, NODE_OPTIONS: undefined },
  });
  // A watchdog that cannot start only loses the SIGKILL guarantee; the exit handler still works.
  watchdog.on("error", () => undefined);
  watchdog.unref();
  const pipe = watchdog.stdin;
  if (pipe !== null && "unref" in pipe && typeof pipe.unref === "function") pipe.unref();
  return watchdog;
}

async function waitUntilReady(
  state: ChildState,
  endpoint: string,
  timeoutMs: number,
  port: number,
): Promise<void> {
  const { client } = createDynamoClients({ region: "local", endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (state.failure !== undefined) throw state.failure;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        });
        if (state.failure === undefined) return;
      } catch {
        // Not listening yet; the deadline bounds how long that may last.
      }
      if (Date.now() >= deadline) {
        throw new DynamoDbLocalError(`DynamoDB Local did not answer on port ${port} within ${timeoutMs} ms.`);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } finally {
    client.destroy();
  }
}

async function terminate(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    await exited;
    return;
  }
  child.kill(signal);
  const escalation = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(escalation);
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}
