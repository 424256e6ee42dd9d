import { resolveLayerSettings } from "../../core/control-plane/settings";
import { SETTINGS_FIELD_DEFAULTS } from "../../core/governance/settings";
import type { SettingsStore } from "../../core/ports";
import type { ChannelRouting } from "./channel";

/**
 * Routes a repo's requests by the `notify_channels` of the settings in force for it (the repo's own,
 * else `owner/*`'s, else `*`'s). Settings that do not name channels, and repos with no published
 * settings, use every channel of the deployment.
 */
export function settingsChannelRouting(store: SettingsStore): ChannelRouting {
  return {
    async channelsOf(repo) {
      const resolved = await resolveLayerSettings(store, SETTINGS_FIELD_DEFAULTS, repo);
      return resolved.settings.notify_channels;
    },
  };
}
