import { NewtonError } from "./errors";
import { SETTINGS, configError, type ConfigFile, type GlobalFlags, type Profile, type ProfileKey } from "./config";
import type { NewtonIo } from "./io";

/** Where a resolved setting came from. */
export type SettingSource = "flag" | "env" | "profile" | "default";

/** A resolved setting with its origin (for `config show`). */
export interface ResolvedSetting {
  readonly value: string;
  readonly source: SettingSource;
}

/**
 * Resolves settings flag → env → profile (the README's Policy CLI section). The profile is `--profile`, else the config's
 * `current`, else none.
 */
export class Settings {
  /** The active profile's name, if any. */
  readonly profileName: string | undefined;

  constructor(
    readonly flags: Readonly<GlobalFlags>,
    readonly env: NewtonIo["env"],
    readonly config: Readonly<ConfigFile>,
  ) {
    this.profileName = flags.profile ?? config.current;
  }

  /**
   * The active profile (empty when none).
   * @throws NewtonError `NEWTON_ERROR_CONFIG` when `--profile` names a profile the config does not have.
   */
  get profile(): Profile {
    if (this.profileName === undefined) return {};
    const profile = this.config.profiles[this.profileName];
    if (profile === undefined && this.flags.profile !== undefined) {
      throw configError(
        "profile",
        `no profile "${this.flags.profile}" in the config; create it with \`newton config init --profile ${this.flags.profile}\``,
        "--profile",
      );
    }
    return profile ?? {};
  }

  /** The profile called `name`, if it exists. */
  profileNamed(name: string): Profile | undefined {
    return this.config.profiles[name];
  }

  /** Resolves `key` flag → env → `profiles` (in order) → `fallback`; undefined when unset everywhere. */
  get(key: ProfileKey, profiles: readonly Profile[] = [this.profile], fallback?: string): ResolvedSetting | undefined {
    const { flag, env } = SETTINGS[key];
    const fromFlag = flag !== undefined ? this.flags[flag] : undefined;
    if (typeof fromFlag === "string") return { value: fromFlag, source: "flag" };
    const fromEnv = env !== undefined ? this.env[env] : undefined;
    if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, source: "env" };
    for (const p of profiles) if (p[key] !== undefined) return { value: p[key], source: "profile" };
    return fallback !== undefined ? { value: fallback, source: "default" } : undefined;
  }

  /**
   * Like {@link get}, but a missing setting is an error naming the flag, the env var and the profile key to set.
   * @throws NewtonError `NEWTON_ERROR_CONFIG`.
   */
  require(key: ProfileKey, why: string, profiles?: readonly Profile[]): string {
    const found = this.get(key, profiles);
    if (found !== undefined) return found.value;
    throw missingSetting(key, why, this.profileName);
  }
}

/** The error for an unset setting: names `--flag`, `ENV` and `newton config set <key>`. */
export function missingSetting(key: ProfileKey, why: string, profileName: string | undefined): NewtonError {
  const { flag, env } = SETTINGS[key];
  const ways = [
    flag !== undefined ? `--${key}` : undefined,
    env,
    `\`newton config set ${key} <value>\`${profileName !== undefined ? ` (profile ${profileName})` : ""}`,
  ].filter((w): w is string => w !== undefined);
  return configError(key, `${why} needs ${key}: set ${ways.join(", or ")}`, flag ? `--${key}` : undefined, env);
}
