import type { RepoSettings, RepoSettingsBody, SettingsView } from "../../../contracts/governance";
import { layersOf } from "../../../contracts/repo-id";
import { RateLimitedError, ServiceUnavailableError, SettingsInvalidError } from "../errors";
import { DEFAULT_SETTINGS_LAYER, normalizeSettings, type ResolvedSettings } from "../governance/settings";
import type { SettingsStore } from "../ports";
import type { Principal } from "../principal";
import type { SettingsVersionRecord } from "../records";
import type { SettingsDeps } from "./deps";

/** Settings publishes per admin per minute. */
export const SETTINGS_PUBLISHES_PER_MINUTE = 10;
const PUBLISH_ATTEMPTS = 5;

/**
 * The settings in force for a repo or layer: its own published settings, else the nearest wider
 * layer's (`owner/*`, then `*`), else the deployment's default. The most specific document wins whole.
 */
export function resolveSettings(
  deps: SettingsDeps,
  layerId: string,
): Promise<ResolvedSettings & { record?: SettingsVersionRecord }> {
  return resolveLayerSettings(deps.settings, deps.defaultSettings, layerId);
}

/** {@link resolveSettings} on a settings store alone, for processes without the control plane's deps. */
export async function resolveLayerSettings(
  store: SettingsStore,
  defaults: RepoSettings,
  layerId: string,
): Promise<ResolvedSettings & { record?: SettingsVersionRecord }> {
  const found = await Promise.all(layersOf(layerId).map((layer) => store.latest(layer)));
  const record = found.reverse().find((r): r is SettingsVersionRecord => r !== undefined);
  if (!record) return { source: { layer: DEFAULT_SETTINGS_LAYER, version: 0 }, settings: defaults };
  return { source: { layer: record.layer, version: record.version }, settings: record.settings, record };
}

function toSettingsView(
  layerId: string,
  resolved: Awaited<ReturnType<typeof resolveSettings>>,
): SettingsView {
  return {
    repo_id: layerId,
    layer: resolved.source.layer,
    version: resolved.source.version,
    settings: resolved.settings,
    ...(resolved.record
      ? { published_by: resolved.record.published_by, published_at: resolved.record.published_at }
      : {}),
  };
}

/** The settings new tasks of a repo (or layer) would be registered under. */
export async function getSettings(deps: SettingsDeps, layerId: string): Promise<SettingsView> {
  return toSettingsView(layerId, await resolveSettings(deps, layerId));
}

/** Publishes a layer's next immutable settings version, or refuses it listing every problem. */
export async function publishSettings(
  deps: SettingsDeps,
  admin: Principal,
  layerId: string,
  body: RepoSettingsBody,
): Promise<SettingsView> {
  const now = deps.clock.now();
  const limit = await deps.rateLimiter.hit(`settings#${admin.id}`, SETTINGS_PUBLISHES_PER_MINUTE, 60, now);
  if (!limit.allowed) throw new RateLimitedError("settings publishes", limit.retryAfterS);
  const normalized = normalizeSettings(body);
  if (!normalized.ok) throw new SettingsInvalidError(normalized.problems);
  for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
    const latest = await deps.settings.latest(layerId);
    const record: SettingsVersionRecord = {
      layer: layerId,
      version: (latest?.version ?? 0) + 1,
      settings: normalized.settings,
      published_by: admin.id,
      published_at: now.toISOString(),
    };
    if ((await deps.settings.put(record)) === "created") {
      const view = toSettingsView(layerId, {
        source: { layer: layerId, version: record.version },
        settings: record.settings,
        record,
      });
      return { ...view, warnings: [...normalized.warnings] };
    }
  }
  throw new ServiceUnavailableError(new Error(`could not claim a settings version for ${layerId}`));
}
