// Tools with global options and subcommands: git (push, config, -c), kubectl, aws, docker.
import {
  type CommandContext,
  judgeCommand,
  literal,
  type ProgramDetails,
  type ProgramHandler,
  pick,
} from "./command";
import type { Arg } from "./expand";
import { type OptionSpec, readOptions } from "./options";
import { GIT_CODE_CONFIG, GIT_PUSH_OPTIONS, SAME_AS, TOOL_OPTIONS } from "./programs";

/** What {@link tool} found, with where the subcommand is for handlers that read further. */
export interface ToolDetails extends ProgramDetails {
  readonly subcommandIndex?: number;
  readonly globalFlags: ReadonlySet<string>;
}
const SINGLE_DASH: OptionSpec = { singleDash: true };
/** A tool with global options and a subcommand: `git -C x push`, `kubectl -n ns delete`, `npm --registry r publish`. */
export const tool = (ctx: CommandContext, args: readonly Arg[], program: string): ToolDetails => {
  const family = SAME_AS[program] ?? program;
  const spec = TOOL_OPTIONS[family];
  const global = readOptions(args, spec);
  const index = global.operands[0];
  if (index === undefined) return { flags: [...global.flags], operands: [], globalFlags: global.flags };
  const word = args[index] as Arg;
  if (word.value === undefined) {
    ctx.unresolved.add("subcommand");
    return { flags: [...global.flags], operands: args.slice(index + 1), globalFlags: global.flags };
  }
  const subcommand = canonicalSubcommand(family, word.value.toLowerCase());
  const rest = args.slice(index + 1);
  const own = readOptions(rest, spec?.singleDash ? SINGLE_DASH : undefined);
  const flags = new Set(global.flags);
  for (const f of own.flags) flags.add(f);
  return {
    subcommand,
    subcommandIndex: index,
    flags: [...flags],
    operands: pick(rest, own.operands),
    globalFlags: global.flags,
  };
};
/** npm runs any unique prefix of a command: `npm pu` is `npm publish`. */
function canonicalSubcommand(family: string, subcommand: string): string {
  if (family === "npm" && subcommand.length >= 2 && "publish".startsWith(subcommand)) return "publish";
  return subcommand;
}
export const git: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  const index = details.subcommandIndex ?? args.length;
  for (let i = 0; i < index; i++) {
    if (args[i]?.value === "-c") gitConfigValue(ctx, args[i + 1]);
  }
  if (details.subcommandIndex === undefined) return details;
  const rest = args.slice(index + 1);
  const expansion = aliasExpansion(args.slice(0, index), details.subcommand);
  if (expansion !== undefined) {
    // `git -c alias.p='push --force' p origin main` runs `git push --force origin main`.
    judgeCommand(
      ctx.analyzer,
      {
        assignments: [],
        args: [literal(program), ...expansion.map(literal), ...rest],
        redirects: [],
        text: args.map((a) => a.view).join(" "),
        wrappers: ["git alias"],
      },
      ctx.state,
      ctx.input,
      ctx.depth,
    );
  }
  if (details.subcommand === "push") return { ...details, ...gitPush(ctx, rest, details.globalFlags) };
  if (details.subcommand === "config") gitConfig(ctx, rest);
  return details;
};
/** The git arguments a `-c alias.<name>=…` given before the subcommand stands for (not `!` shell aliases). */
function aliasExpansion(globals: readonly Arg[], subcommand: string | undefined): string[] | undefined {
  if (subcommand === undefined) return undefined;
  let expansion: string[] | undefined;
  globals.forEach((arg, i) => {
    const setting = arg.value === "-c" ? globals[i + 1]?.value : undefined;
    const eq = setting?.indexOf("=") ?? -1;
    if (setting === undefined || eq === -1) return;
    if (setting.slice(0, eq).toLowerCase() !== `alias.${subcommand.toLowerCase()}`) return;
    const value = setting.slice(eq + 1).trim();
    expansion = value.startsWith("!") ? undefined : value.split(/\s+/).filter((w) => w !== "");
  });
  return expansion;
}
/** `git -c key=value`: a key whose value git runs as a command is code the agent brings along. */
function gitConfigValue(ctx: CommandContext, arg: Arg | undefined): void {
  if (!arg) return;
  if (arg.value === undefined) {
    ctx.unresolved.add("arguments");
    return;
  }
  const eq = arg.value.indexOf("=");
  if (eq === -1) return;
  runConfigCode(ctx, arg.value.slice(0, eq).toLowerCase(), literal(arg.value.slice(eq + 1)));
}
function runConfigCode(ctx: CommandContext, key: string, value: Arg): void {
  if (!GIT_CODE_CONFIG.some((pattern) => pattern.test(key))) return;
  if (value.value === undefined) {
    ctx.unresolved.add("script");
    return;
  }
  // An alias is git arguments unless it starts with `!`, which makes it a shell command.
  if (key.startsWith("alias.")) {
    if (value.value.startsWith("!")) ctx.runCode(literal(value.value.slice(1)));
    return;
  }
  if (/(hookspath|^include|\.path$)/.test(key)) return;
  ctx.runCode(value);
}
/** `git config` writes `.git/config`; setting a key whose value git runs is a write rules look at. */
function gitConfig(ctx: CommandContext, rest: readonly Arg[]): void {
  const options = readOptions(rest, { valued: ["f", "file", "blob", "type", "default", "comment"] });
  const flags = options.flags;
  const elsewhere = ["global", "system", "f", "file", "blob"].some((f) => flags.has(f));
  const reading = [
    "get",
    "get-all",
    "get-regexp",
    "get-urlmatch",
    "list",
    "l",
    "show-origin",
    "show-scope",
  ].some((f) => flags.has(f));
  let operands = pick(rest, options.operands);
  if (operands[0]?.value === "set") operands = operands.slice(1);
  else if (["get", "list", "edit"].includes(operands[0]?.value ?? "")) return;
  const key = operands[0]?.value?.toLowerCase();
  const value = operands[1];
  if (elsewhere || reading || key === undefined || value === undefined) return;
  if (!GIT_CODE_CONFIG.some((pattern) => pattern.test(key))) return;
  ctx.write(literal(".git/config"));
  runConfigCode(ctx, key, value);
}
/** The destinations of a push, each with whether it may discard history there. */
function gitPush(
  ctx: CommandContext,
  rest: readonly Arg[],
  globalFlags: ReadonlySet<string>,
): ProgramDetails {
  const options = readOptions(rest, GIT_PUSH_OPTIONS);
  const flags = options.flags;
  const force = flags.has("force") || flags.has("force-with-lease") || flags.has("mirror");
  const deletion = flags.has("delete");
  const operands = pick(rest, options.operands);
  const refspecs = options.values.has("repo") ? operands : operands.slice(1);
  if (flags.has("all") || flags.has("branches") || flags.has("mirror")) ctx.pushes.push({ ref: "*", force });
  for (const spec of refspecs) {
    if (spec.value === undefined) continue;
    let text = spec.value;
    const plus = text.startsWith("+");
    if (plus) text = text.slice(1);
    const colon = text.indexOf(":");
    const source = colon === -1 ? text : text.slice(0, colon);
    const destination = (colon === -1 ? text : text.slice(colon + 1))
      .replace(/^refs\/heads\//i, "")
      .toLowerCase();
    if (destination === "") continue;
    ctx.pushes.push({
      ref: destination,
      force: force || plus || deletion || (colon !== -1 && source === ""),
    });
  }
  return { flags: [...new Set([...globalFlags, ...flags])], operands };
}
export const kubectl: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  const action = details.operands?.[0]?.value;
  // `kubectl config set-credentials …` and friends rewrite the kubeconfig, credentials included.
  if (
    details.subcommand === "config" &&
    action !== undefined &&
    /^(set|unset|delete|rename|use)/.test(action)
  ) {
    const file = readOptions(args, TOOL_OPTIONS.kubectl).values.get("kubeconfig");
    ctx.write(literal(file ?? "~/.kube/config"));
  }
  return details;
};
export const aws: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  if (details.subcommand === "configure") {
    const operands = details.operands ?? [];
    const action = operands[0]?.value;
    if (action === undefined || action === "import") ctx.write(literal("~/.aws/credentials"));
    else if (action === "set") {
      const key = operands[1]?.value?.toLowerCase().replace(/^.*\./, "") ?? "";
      const secret = /^(aws_access_key_id|aws_secret_access_key|aws_session_token)$/.test(key);
      ctx.write(literal(secret ? "~/.aws/credentials" : "~/.aws/config"));
    } else if (action === "sso") ctx.write(literal("~/.aws/config"));
  }
  return details;
};
/** Registry settings that hold a credential: `//host/:_authToken`, `_auth`, `_password`, yarn's `npmAuthToken`. */
const REGISTRY_CREDENTIAL_KEY =
  /(?:^|:)_(?:auth|authtoken|password)$|authtoken|authident|^(?:certfile|keyfile)$/i;

/**
 * npm, pnpm and yarn: `config set` (npm's `set` too) of a registry credential writes the file
 * the token lives in, so it is judged as that write: npm and pnpm write the user's `.npmrc` (the
 * project's with `--location=project`, the global `npmrc` with `-g`, or `--userconfig`), yarn
 * its `.yarnrc.yml`. A key only known at run time may be one.
 */
export const packageManager: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  const operands = details.operands ?? [];
  const setting =
    details.subcommand === "set"
      ? operands
      : details.subcommand === "config" && operands[0]?.value === "set"
        ? operands.slice(1)
        : undefined;
  if (setting === undefined) return details;
  const key = setting[0]?.value?.split("=")[0];
  if (key !== undefined && !REGISTRY_CREDENTIAL_KEY.test(key)) return details;
  ctx.write(literal(packageManagerConfigFile(args, program)));
  return details;
};

function packageManagerConfigFile(args: readonly Arg[], program: string): string {
  const option = (name: string): string | undefined => {
    for (let i = 0; i < args.length; i++) {
      const text = args[i]?.value;
      if (text === `--${name}`) return args[i + 1]?.value ?? "";
      if (text?.startsWith(`--${name}=`)) return text.slice(name.length + 3);
    }
    return undefined;
  };
  const global = args.some((a) => a.value === "-g" || a.value === "--global");
  if (program === "yarn")
    return global || args.some((a) => a.value === "-H" || a.value === "--home")
      ? "~/.yarnrc.yml"
      : ".yarnrc.yml";
  const userConfig = option("userconfig");
  if (userConfig) return userConfig;
  const location = option("location") ?? (global ? "global" : "user");
  if (location === "project") return ".npmrc";
  if (location === "global") return "/usr/local/etc/npmrc";
  return "~/.npmrc";
}
/**
 * Claude Code's own CLI: adding or removing MCP servers, changing its config and installing or
 * turning off plugins rewrite the files that decide what the agent may call and which hooks gate
 * it, so each is judged as the write of that file.
 */
export const claudeCli: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  const action = details.operands?.[0]?.value;
  const scope = readOptions(args.slice((details.subcommandIndex ?? 0) + 1), {
    valued: ["s", "scope", "e", "env", "t", "transport", "H", "header"],
  }).values;
  const scoped = scope.get("s") ?? scope.get("scope");
  if (
    details.subcommand === "mcp" &&
    action !== undefined &&
    /^(add|add-json|add-from-claude-desktop|remove)$/.test(action)
  )
    ctx.write(literal(scoped === "project" ? ".mcp.json" : "~/.claude.json"));
  else if (details.subcommand === "config" && action !== undefined && /^(set|add|remove|unset)$/.test(action))
    ctx.write(literal("~/.claude.json"));
  else if (details.subcommand === "plugin" || details.subcommand === "plugins")
    if (action !== undefined && !/^(list|validate|help)$/.test(action))
      ctx.write(literal("~/.claude/settings.json"));
  return details;
};
/** GitHub's CLI: `gh auth login` and `gh auth refresh` store its token in `~/.config/gh/hosts.yml`. */
export const ghCli: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, {
    valued: ["R", "repo", "h", "hostname", "p", "git-protocol", "s", "scopes"],
  });
  const operands = pick(args, options.operands);
  const [group, action] = operands.map((o) => o.value);
  if (group === "auth" && (action === "login" || action === "refresh"))
    ctx.write(literal("~/.config/gh/hosts.yml"));
  return { flags: [...options.flags], operands };
};

/** GnuPG commands that change the keyring, which holds private keys: judged as a write of it. */
const GPG_KEYRING_CHANGES =
  /^--(import|import-ownertrust|gen-key|generate-key|full-gen-key|full-generate-key|quick-gen-key|quick-generate-key|quick-add-key|edit-key|delete-keys|delete-secret-keys|delete-secret-and-public-keys|recv-keys|receive-keys)$/;
export const gpg: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, {
    valued: ["homedir", "u", "local-user", "r", "recipient", "o", "output"],
  });
  if (args.some((a) => a.value !== undefined && GPG_KEYRING_CHANGES.test(a.value)))
    ctx.write(literal(`${options.values.get("homedir") ?? "~/.gnupg"}/pubring.kbx`));
  return { flags: [...options.flags], operands: pick(args, options.operands) };
};
export const containerCli: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  if (details.subcommand === "login") ctx.write(literal("~/.docker/config.json"));
  return details;
};
