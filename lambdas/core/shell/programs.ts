import type { OptionSpec } from "./options";

/**
 * What the analysis knows about programs: which ones only run another command (wrappers),
 * which run code (shells, interpreters), which download, which talk SQL, and the options of
 * the tools the built-in rules look at. Plain data, read by the analysis.
 */

/** A program that runs the command given in its arguments, e.g. `sudo -u x cmd`. */
export interface WrapperSpec extends OptionSpec {
  /** Operands before the command that are not part of it, e.g. `timeout 10 cmd`, `ssh host cmd`. */
  readonly skip?: number;
  /** Options whose value is a shell script, e.g. `su -c 'cmd'`, `env -S 'cmd'`. */
  readonly scriptOptions?: readonly string[];
  /** The command is all remaining arguments joined into one shell script (`watch`, `ssh`). */
  readonly joinsArguments?: boolean;
  /** Options that, with no command after them, start an interactive shell (`sudo -s`). */
  readonly shellOptions?: readonly string[];
  /** Options that mean it does not run anything (`command -v rm` only prints). */
  readonly inertOptions?: readonly string[];
  /** `NAME=value` words before the command set its environment (`env`, `sudo`). */
  readonly assignments?: boolean;
  /** Its arguments come partly from its input (`xargs`), so they are never all known. */
  readonly argumentsFromInput?: boolean;
  /** Operands after `--` only: `kubectl exec pod -- cmd`. */
  readonly afterDoubleDash?: boolean;
  /** The rest is read as this program's arguments: `docker compose …` is `docker-compose …`. */
  readonly becomes?: string;
}

export const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  sudo: {
    valued: ["u", "g", "h", "p", "C", "D", "r", "t", "T", "U", "user", "group", "host", "prompt", "chdir"],
    stopAtOperand: true,
    assignments: true,
    shellOptions: ["s", "i", "shell", "login"],
  },
  doas: { valued: ["u", "C"], stopAtOperand: true, shellOptions: ["s"] },
  pkexec: { valued: ["user"], stopAtOperand: true },
  env: {
    valued: ["u", "C", "unset", "chdir", "a", "argv0"],
    stopAtOperand: true,
    assignments: true,
    scriptOptions: ["S", "split-string"],
  },
  command: { stopAtOperand: true, inertOptions: ["v", "V"] },
  builtin: { stopAtOperand: true },
  exec: { valued: ["a"], stopAtOperand: true },
  nohup: { stopAtOperand: true },
  nice: { valued: ["n", "adjustment"], stopAtOperand: true },
  time: { valued: ["f", "o", "format", "output"], stopAtOperand: true },
  timeout: { valued: ["s", "k", "signal", "kill-after"], stopAtOperand: true, skip: 1 },
  stdbuf: { valued: ["i", "o", "e", "input", "output", "error"], stopAtOperand: true },
  ionice: { valued: ["c", "n", "p", "P", "u", "class", "classdata"], stopAtOperand: true },
  setsid: { stopAtOperand: true },
  taskset: { stopAtOperand: true, skip: 1 },
  chrt: { stopAtOperand: true, skip: 1 },
  unbuffer: { stopAtOperand: true },
  caffeinate: { valued: ["t", "w"], stopAtOperand: true },
  chronic: { stopAtOperand: true },
  torsocks: { valued: ["u", "p", "a", "P"], stopAtOperand: true },
  proxychains: { valued: ["f"], stopAtOperand: true },
  proxychains4: { valued: ["f"], stopAtOperand: true },
  strace: { valued: ["e", "o", "p", "s", "u", "E", "a", "b", "I", "X", "P"], stopAtOperand: true },
  ltrace: { valued: ["e", "o", "p", "s", "u", "a", "n"], stopAtOperand: true },
  firejail: { stopAtOperand: true },
  flock: {
    valued: ["w", "E", "timeout", "conflict-exit-code"],
    stopAtOperand: true,
    skip: 1,
    scriptOptions: ["c", "command"],
  },
  xargs: {
    valued: [
      "a",
      "d",
      "E",
      "I",
      "L",
      "n",
      "P",
      "s",
      "arg-file",
      "delimiter",
      "eof",
      "replace",
      "max-lines",
      "max-args",
      "max-procs",
      "max-chars",
      "process-slot-var",
    ],
    stopAtOperand: true,
    argumentsFromInput: true,
  },
  watch: { valued: ["n", "interval", "q", "equexit"], stopAtOperand: true, joinsArguments: true },
  ssh: {
    valued: [
      "b",
      "c",
      "D",
      "E",
      "e",
      "F",
      "I",
      "i",
      "J",
      "L",
      "l",
      "m",
      "O",
      "o",
      "p",
      "Q",
      "R",
      "S",
      "W",
      "w",
      "B",
    ],
    stopAtOperand: true,
    skip: 1,
    joinsArguments: true,
  },
  su: {
    valued: ["s", "g", "G", "shell", "group"],
    stopAtOperand: true,
    scriptOptions: ["c", "command", "session-command"],
  },
  runuser: {
    valued: ["u", "s", "g", "G", "user", "shell", "group"],
    stopAtOperand: true,
    scriptOptions: ["c", "command", "session-command"],
  },
  sg: { stopAtOperand: true, skip: 1, scriptOptions: ["c"] },
  script: {
    valued: ["E", "o", "t", "T", "I", "O", "B", "m"],
    stopAtOperand: true,
    scriptOptions: ["c", "command"],
  },
  busybox: { stopAtOperand: true },
  // `corepack pnpm publish` runs pnpm at the version the project pins.
  corepack: { stopAtOperand: true },
  npx: { valued: ["p", "package"], stopAtOperand: true, scriptOptions: ["c", "call"] },
  bunx: { valued: ["p", "package"], stopAtOperand: true },
  pnpx: { valued: ["p", "package"], stopAtOperand: true },
  uvx: { valued: ["from", "with", "python", "p"], stopAtOperand: true },
  direnv: { stopAtOperand: true, skip: 2 },
  "nix-shell": {
    valued: ["p", "packages", "I", "attr", "A"],
    stopAtOperand: true,
    scriptOptions: ["run", "command"],
  },
  microk8s: { stopAtOperand: true },
  k3s: { stopAtOperand: true },
};

/**
 * Subcommands that run another command: `npm exec -- cmd`, `uv run cmd`, `docker exec ctr cmd`,
 * `kubectl exec pod -- cmd`. Keyed by program, then subcommand.
 */
export const SUBCOMMAND_WRAPPERS: Readonly<Record<string, Readonly<Record<string, WrapperSpec>>>> = {
  npm: {
    exec: { valued: ["package", "p"], stopAtOperand: true, scriptOptions: ["c", "call"] },
    x: { valued: ["package", "p"], stopAtOperand: true, scriptOptions: ["c", "call"] },
  },
  pnpm: { exec: { stopAtOperand: true }, dlx: { stopAtOperand: true } },
  yarn: { exec: { stopAtOperand: true }, dlx: { stopAtOperand: true } },
  bun: { x: { stopAtOperand: true } },
  uv: { run: { valued: ["with", "python", "p", "package", "directory", "project"], stopAtOperand: true } },
  poetry: { run: { stopAtOperand: true } },
  pipenv: { run: { stopAtOperand: true } },
  pdm: { run: { stopAtOperand: true } },
  hatch: { run: { stopAtOperand: true } },
  bundle: { exec: { stopAtOperand: true } },
  mise: {
    exec: { stopAtOperand: true, afterDoubleDash: true },
    x: { stopAtOperand: true, afterDoubleDash: true },
  },
  pipx: { run: { stopAtOperand: true } },
  docker: {
    exec: {
      valued: ["e", "env", "u", "user", "w", "workdir", "env-file", "detach-keys"],
      stopAtOperand: true,
      skip: 1,
    },
    compose: {
      becomes: "docker-compose",
      valued: ["f", "file", "p", "project-name", "profile", "env-file", "project-directory"],
      stopAtOperand: true,
    },
  },
  podman: {
    exec: {
      valued: ["e", "env", "u", "user", "w", "workdir", "env-file", "detach-keys"],
      stopAtOperand: true,
      skip: 1,
    },
    compose: { becomes: "docker-compose", valued: ["f", "file", "p", "project-name"], stopAtOperand: true },
  },
  "docker-compose": {
    exec: { valued: ["e", "env", "u", "user", "w", "workdir", "index"], stopAtOperand: true, skip: 1 },
    run: {
      valued: [
        "e",
        "env",
        "u",
        "user",
        "w",
        "workdir",
        "name",
        "entrypoint",
        "l",
        "label",
        "p",
        "publish",
        "v",
        "volume",
      ],
      stopAtOperand: true,
      skip: 1,
    },
  },
  kubectl: { exec: { afterDoubleDash: true } },
  oc: { exec: { afterDoubleDash: true }, rsh: { afterDoubleDash: true } },
  nix: {
    develop: { afterDoubleDash: true, scriptOptions: ["c", "command"] },
    shell: { afterDoubleDash: true, scriptOptions: ["c", "command"] },
  },
};

/** Shells: `-c` runs its script argument; with no script they read one from their input. */
export const SHELLS: ReadonlySet<string> = new Set([
  "sh",
  "bash",
  "zsh",
  "dash",
  "ksh",
  "mksh",
  "ash",
  "yash",
  "posh",
  "fish",
  "csh",
  "tcsh",
  "rbash",
]);

/** How shells read their options: `-o opt`, `--rcfile f`, and `-c` taking the first operand as the script. */
export const SHELL_OPTIONS: OptionSpec = {
  valued: ["o", "O", "rcfile", "init-file"],
  stopAtOperand: true,
};

/** Interpreters, with the options whose value is code, and those after which no script is read from input. */
export interface InterpreterSpec {
  readonly codeOptions: readonly string[];
  /** Options that run something other than a script from input (`python -m module`). */
  readonly notFromInput?: readonly string[];
  readonly valued?: readonly string[];
  /** Options that edit the operand files in place (`perl -i`). */
  readonly inPlace?: readonly string[];
}

export const INTERPRETERS: Readonly<Record<string, InterpreterSpec>> = {
  python: { codeOptions: ["c"], notFromInput: ["m", "V", "version", "h", "help"], valued: ["W", "X", "Q"] },
  pypy: { codeOptions: ["c"], notFromInput: ["m"], valued: ["W", "X"] },
  perl: { codeOptions: ["e", "E"], valued: ["I", "M", "m", "x"], notFromInput: ["v", "V"], inPlace: ["i"] },
  ruby: { codeOptions: ["e"], valued: ["I", "r", "C", "E"], notFromInput: ["v", "version"], inPlace: ["i"] },
  node: {
    codeOptions: ["e", "eval", "p", "print"],
    valued: ["r", "require", "import", "loader", "C", "conditions", "title", "max-old-space-size"],
    notFromInput: ["v", "version", "h", "help", "test", "watch"],
  },
  deno: { codeOptions: [], notFromInput: [] },
  php: { codeOptions: ["r"], valued: ["c", "d", "z"], notFromInput: ["v", "m", "i", "S", "l"] },
  lua: { codeOptions: ["e"], valued: ["l"], notFromInput: ["v"] },
  luajit: { codeOptions: ["e"], valued: ["l", "j", "O"], notFromInput: ["v"] },
  rscript: { codeOptions: ["e"], notFromInput: ["version"] },
  osascript: { codeOptions: ["e"], notFromInput: [] },
  tclsh: { codeOptions: [], notFromInput: [] },
};

/** The interpreter a program name is, folding versions (`python3.12`, `perl5.36`) and `nodejs`. */
export function interpreterOf(program: string): string | undefined {
  if (/^python[0-9.]*$/.test(program)) return "python";
  if (/^pypy[0-9.]*$/.test(program)) return "pypy";
  if (/^perl[0-9.]*$/.test(program)) return "perl";
  if (/^ruby[0-9.]*$/.test(program)) return "ruby";
  if (program === "nodejs") return "node";
  if (/^php[0-9.]*$/.test(program)) return "php";
  if (/^lua[0-9.]*$/.test(program)) return "lua";
  return Object.hasOwn(INTERPRETERS, program) ? program : undefined;
}

/** Programs whose output is something fetched over the network. */
export const DOWNLOADERS: ReadonlySet<string> = new Set([
  "curl",
  "wget",
  "wget2",
  "fetch",
  "aria2c",
  "http",
  "https",
  "xh",
  "xhs",
  "curlie",
  // PowerShell's web cmdlets and their aliases.
  "invoke-webrequest",
  "iwr",
  "invoke-restmethod",
  "irm",
  "start-bitstransfer",
  "lwp-request",
  "lwp-download",
  "get",
  "nc",
  "ncat",
  "netcat",
  "socat",
]);

/** SQL clients: the SQL they run is in their arguments or their input. */
export const SQL_CLIENTS: ReadonlySet<string> = new Set([
  "psql",
  "mysql",
  "mariadb",
  "sqlite3",
  "sqlite",
  "sqlcmd",
  "clickhouse-client",
  "duckdb",
  "cockroach",
  "mongosh",
  "mongo",
  "snowsql",
  "bq",
  "trino",
  "presto",
  "cqlsh",
  "usql",
  "pgcli",
  "mycli",
  "litecli",
  "isql",
  "sqlplus",
  "db2",
  "influx",
  "dolt",
]);

/**
 * Commands that drop a database or all its tables by themselves, by program and the argument
 * that does it (none: the program always does): `dropdb`, `rails db:drop`, `prisma migrate
 * reset`, `php artisan migrate:fresh`, `redis-cli flushall`, …
 */
export const DATABASE_DROPPERS: Readonly<Record<string, readonly string[]>> = {
  dropdb: [],
  mysqladmin: ["drop"],
  rails: ["db:drop", "db:reset", "db:purge", "db:migrate:reset"],
  rake: ["db:drop", "db:reset", "db:purge", "db:migrate:reset"],
  prisma: ["reset", "--force-reset"],
  mix: ["ecto.drop", "ecto.reset"],
  artisan: ["migrate:fresh", "db:wipe", "migrate:reset"],
  sequelize: ["db:drop"],
  "sequelize-cli": ["db:drop"],
  "manage.py": ["reset_db", "sqlflush"],
  "redis-cli": ["flushall", "flushdb"],
};

/** Editors: the files they are given are files they may write. */
export const EDITORS: ReadonlySet<string> = new Set([
  "vi",
  "vim",
  "nvim",
  "nano",
  "pico",
  "emacs",
  "ed",
  "ex",
  "micro",
  "kak",
  "hx",
  "helix",
  "code",
  "subl",
  "joe",
  "mcedit",
]);

/** Global options of the tools the built-in rules read, so the subcommand is found after them. */
export const TOOL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  git: {
    valued: [
      "C",
      "c",
      "git-dir",
      "work-tree",
      "namespace",
      "super-prefix",
      "config-env",
      "exec-path",
      "list-cmds",
    ],
    stopAtOperand: true,
  },
  npm: {
    valued: [
      "registry",
      "userconfig",
      "globalconfig",
      "prefix",
      "cache",
      "w",
      "workspace",
      "loglevel",
      "tag",
      "access",
      "otp",
      "scope",
      "auth-type",
      "C",
    ],
    stopAtOperand: true,
  },
  pnpm: {
    valued: [
      "C",
      "dir",
      "filter",
      "F",
      "filter-prod",
      "workspace-concurrency",
      "reporter",
      "loglevel",
      "registry",
    ],
    stopAtOperand: true,
  },
  yarn: {
    valued: ["cwd", "registry", "modules-folder", "cache-folder", "mutex", "network-timeout"],
    stopAtOperand: true,
  },
  bun: { valued: ["cwd", "config", "c", "registry"], stopAtOperand: true },
  kubectl: {
    valued: [
      "n",
      "namespace",
      "context",
      "cluster",
      "kubeconfig",
      "s",
      "server",
      "user",
      "token",
      "as",
      "as-group",
      "as-uid",
      "request-timeout",
      "cache-dir",
      "certificate-authority",
      "client-certificate",
      "client-key",
      "tls-server-name",
      "password",
      "username",
      "v",
      "log-file",
      "profile",
      "profile-output",
    ],
    stopAtOperand: true,
  },
  terraform: { singleDash: true, stopAtOperand: true },
  tofu: { singleDash: true, stopAtOperand: true },
  terragrunt: {
    stopAtOperand: true,
    valued: ["working-dir", "terragrunt-working-dir", "config", "terragrunt-config"],
  },
  docker: {
    valued: ["H", "host", "context", "c", "config", "l", "log-level", "tlscacert", "tlscert", "tlskey"],
    stopAtOperand: true,
  },
  podman: {
    valued: ["connection", "c", "url", "identity", "log-level", "root", "runroot"],
    stopAtOperand: true,
  },
  twine: { stopAtOperand: true },
  cargo: { valued: ["C", "Z", "config", "color"], stopAtOperand: true },
  poetry: { valued: ["C", "directory", "P", "project"], stopAtOperand: true },
  uv: {
    valued: ["directory", "project", "config-file", "cache-dir", "color", "python-preference"],
    stopAtOperand: true,
  },
  gem: { stopAtOperand: true },
  pip: {
    stopAtOperand: true,
    valued: ["r", "c", "log", "proxy", "timeout", "cert", "client-cert", "cache-dir", "python"],
  },
  dotnet: { stopAtOperand: true },
  lerna: { stopAtOperand: true },
  changeset: { stopAtOperand: true },
  flit: { stopAtOperand: true },
  hatch: { stopAtOperand: true },
  pdm: { stopAtOperand: true },
  // The gates CLI itself: its approver and admin commands act as the human whose profile it uses.
  gates: { valued: ["profile", "url", "token"], stopAtOperand: true },
  claude: {
    valued: [
      "model",
      "settings",
      "mcp-config",
      "add-dir",
      "permission-mode",
      "output-format",
      "setting-sources",
    ],
    stopAtOperand: true,
  },
  aws: {
    valued: [
      "profile",
      "region",
      "output",
      "endpoint-url",
      "query",
      "cli-read-timeout",
      "cli-connect-timeout",
      "ca-bundle",
      "color",
    ],
    stopAtOperand: true,
  },
};

/** Programs read with another one's options: `oc` is kubectl, `kubecolor` wraps it, `pip3` is pip. */
export const SAME_AS: Readonly<Record<string, string>> = {
  oc: "kubectl",
  kubecolor: "kubectl",
  pip3: "pip",
};

/** Options of `git push`, for unique prefixes (`--forc`) and for the refspecs after the remote. */
export const GIT_PUSH_OPTIONS: OptionSpec = {
  valued: ["o", "push-option", "repo", "receive-pack", "exec", "recurse-submodules", "signed"],
  long: [
    "all",
    "branches",
    "mirror",
    "delete",
    "tags",
    "follow-tags",
    "dry-run",
    "porcelain",
    "force",
    "force-with-lease",
    "force-if-includes",
    "repo",
    "set-upstream",
    "thin",
    "no-thin",
    "quiet",
    "verbose",
    "progress",
    "prune",
    "no-verify",
    "verify",
    "push-option",
    "receive-pack",
    "exec",
    "recurse-submodules",
    "signed",
    "atomic",
    "no-atomic",
    "ipv4",
    "ipv6",
  ],
  aliases: { f: "force", d: "delete", u: "set-upstream", n: "dry-run", q: "quiet", v: "verbose" },
};

/** Options of rm (GNU accepts unique prefixes of the long ones: `--rec --for`). */
export const RM_OPTIONS: OptionSpec = {
  long: [
    "force",
    "interactive",
    "one-file-system",
    "no-preserve-root",
    "preserve-root",
    "recursive",
    "dir",
    "verbose",
    "help",
    "version",
  ],
  aliases: {
    r: "recursive",
    R: "recursive",
    f: "force",
    F: "force",
    d: "dir",
    v: "verbose",
    i: "interactive",
    I: "interactive",
  },
};

/** Git configuration whose value is a command git runs later: setting it plants code. */
export const GIT_CODE_CONFIG = [
  /^alias\./,
  /^core\.(hookspath|fsmonitor|sshcommand|pager|editor|askpass|gitproxy)$/,
  /^credential(\..+)?\.helper$/,
  /^diff\..+\.(textconv|command)$/,
  /^diff\.external$/,
  /^filter\..+\.(clean|smudge|process)$/,
  /^merge\..+\.driver$/,
  /^(sequence|gpg|gpg\..+)\.(editor|program)$/,
  /^uploadpack\.packobjectshook$/,
  /^include\.path$/,
  /^includeif\..+\.path$/,
];

/** Environment variables whose value some program runs as a command. */
export const COMMAND_VARIABLES: ReadonlySet<string> = new Set([
  "GIT_SSH_COMMAND",
  "GIT_PAGER",
  "GIT_EDITOR",
  "GIT_SEQUENCE_EDITOR",
  "GIT_EXTERNAL_DIFF",
  "PAGER",
  "EDITOR",
  "VISUAL",
  "PROMPT_COMMAND",
]);

/** Devices that are not files: writing to them changes nothing on disk. */
export const NOT_FILES = /^\/dev\/(null|stdout|stderr|stdin|tty|fd\/\d+|zero)$/;
