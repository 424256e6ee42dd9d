import { base64, cat, cd, downloader, echo, printf, read, unset } from "./builtins";
import {
  alias,
  databaseDropper,
  evalBuiltin,
  interpreter,
  powershell,
  shell,
  source,
  sqlClient,
  trap,
  unalias,
} from "./code-runners";
import { type ProgramHandler, pick } from "./command";
import { aria2c, curl, wget } from "./downloaders";
import {
  awk,
  copies,
  copiesTo,
  dd,
  editor,
  find,
  patch,
  rm,
  sed,
  sort,
  sshKeygen,
  tar,
  tee,
  unzip,
  writesOperands,
} from "./file-writers";
import { readOptions } from "./options";
import { POWERSHELL_HANDLERS } from "./powershell";
import {
  DATABASE_DROPPERS,
  DOWNLOADERS,
  EDITORS,
  interpreterOf,
  SAME_AS,
  SHELLS,
  SQL_CLIENTS,
  TOOL_OPTIONS,
} from "./programs";
import { aws, claudeCli, containerCli, ghCli, git, gpg, kubectl, packageManager, tool } from "./tools";

/** The handler of a program (after unwrapping), by name or by family. */
export function handlerFor(program: string): ProgramHandler {
  const own = Object.hasOwn(HANDLERS, program) ? HANDLERS[program] : undefined;
  if (own) return own;
  if (SHELLS.has(program)) return shell;
  if (interpreterOf(program)) return interpreter;
  if (SQL_CLIENTS.has(program)) return sqlClient;
  if (Object.hasOwn(DATABASE_DROPPERS, program)) return databaseDropper;
  if (EDITORS.has(program)) return editor;
  if (DOWNLOADERS.has(program)) return downloader;
  if (Object.hasOwn(TOOL_OPTIONS, SAME_AS[program] ?? program)) return tool;
  return generic;
}

const generic: ProgramHandler = (_ctx, args) => {
  const options = readOptions(args);
  return { flags: [...options.flags], operands: pick(args, options.operands) };
};

const HANDLERS: Readonly<Record<string, ProgramHandler>> = {
  ...POWERSHELL_HANDLERS,
  git,
  rm,
  unlink: writesOperands(),
  rmdir: writesOperands(),
  shred: writesOperands({ valued: ["n", "iterations", "s", "size", "random-source"] }),
  truncate: writesOperands({ valued: ["s", "size", "r", "reference"] }),
  touch: writesOperands({ valued: ["d", "date", "t", "r", "reference"] }),
  mkdir: writesOperands({ valued: ["m", "mode", "context"] }),
  chmod: writesOperands({}, true),
  chown: writesOperands({ valued: ["from"] }, true),
  chgrp: writesOperands({}, true),
  chattr: writesOperands({ valued: ["v", "p"] }, true),
  setfacl: writesOperands({ valued: ["m", "x", "M", "X", "modify", "remove", "set", "set-file"] }),
  cp: copies(false),
  mv: copies(true),
  install: copies(false),
  ln: copies(false),
  sed,
  dd,
  tee,
  cat,
  echo,
  printf,
  base64,
  eval: evalBuiltin,
  source,
  ".": source,
  trap,
  alias,
  unalias,
  cd,
  pushd: cd,
  popd: cd,
  read,
  unset,
  curl,
  wget,
  aria2c,
  pwsh: powershell,
  powershell,
  sort,
  tar,
  unzip,
  find,
  "ssh-keygen": sshKeygen,
  aws,
  claude: claudeCli,
  gh: ghCli,
  gpg,
  gpg2: gpg,
  npm: packageManager,
  pnpm: packageManager,
  yarn: packageManager,
  docker: containerCli,
  kubectl,
  oc: kubectl,
  podman: containerCli,
  sudoedit: writesOperands(),
  rsync: copiesTo,
  scp: copiesTo,
  awk,
  gawk: awk,
  patch,
};
