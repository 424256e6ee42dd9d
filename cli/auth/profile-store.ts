import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";

/** What `gates login` keeps between runs. */
export const CachedLoginSchema = z.object({
  id_token: z.string().min(1),
  refresh_token: z.string().optional(),
  /** Epoch milliseconds after which the id token is no longer accepted. */
  expires_at: z.number(),
  client_id: z.string().min(1),
  region: z.string().min(1),
  username: z.string().min(1),
});
export type CachedLogin = z.infer<typeof CachedLoginSchema>;

/** `~/.config/gates/token.json`, or under `GATES_CONFIG_DIR` / `XDG_CONFIG_HOME` when set. */
export function tokenCachePath(env: Readonly<Record<string, string | undefined>>): string {
  const dir =
    env.GATES_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), ".config"), "gates");
  return join(dir, "token.json");
}

/** The cached login, or undefined when there is none or it is unreadable. */
export async function readCachedLogin(path: string): Promise<CachedLogin | undefined> {
  try {
    const parsed = CachedLoginSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Saves the login readable by the user only: the tokens are credentials. */
export async function writeCachedLogin(path: string, login: CachedLogin): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of a file that already exists, so set it explicitly.
  await chmod(path, 0o600);
}
