import type { Command } from "commander";

import {
  PROFILE_KEYS,
  SETTINGS,
  checkProfileValue,
  configError,
  configPath,
  loadConfig,
  saveConfig,
  type ConfigFile,
  type Profile,
  type ProfileKey,
} from "./config";
import type { RunContext } from "./context";
import { maskSecret } from "./io";

/** `config init [--profile p] [--chain …] [--rpc-url …] [--signer-key …] [--da-url …] [--deployments …] [--force]`. */
export function configInit(run: RunContext, o: { force?: boolean }): number {
  const file = configPath(run.io.env);
  const config = loadConfig(file);
  const name = run.settings.flags.profile ?? "default";
  if (config.profiles[name] !== undefined && !o.force) {
    throw configError(
      "profile",
      `profile ${name} exists in ${file}; pass --force to overwrite it, or \`newton config set\` one key`,
    );
  }
  const profile: Profile = {};
  for (const key of PROFILE_KEYS) {
    const flag = SETTINGS[key].flag;
    const value = flag !== undefined ? run.settings.flags[flag] : undefined;
    if (typeof value === "string") {
      checkProfileValue(key, value);
      profile[key] = value;
    }
  }
  saveConfig(file, { ...config, current: config.current ?? name, profiles: { ...config.profiles, [name]: profile } });
  run.out.result({ file, profile: name, settings: masked(profile) });
  run.out.line(`wrote profile ${name} to ${file}`);
  return 0;
}

/** `config set <key> <value> [--profile p]`; `rpc-urls.<network>` sets one `--chains` RPC URL. */
export function configSet(run: RunContext, key: string, value: string): number {
  const file = configPath(run.io.env);
  const config = loadConfig(file);
  const name = run.settings.profileName ?? "default";
  const profile: Profile = { ...(config.profiles[name] ?? {}) };
  const network = /^rpc-urls\.([A-Za-z0-9_.-]+)$/.exec(key)?.[1];
  if (network !== undefined) {
    checkProfileValue("rpc-url", value);
    profile["rpc-urls"] = { ...(profile["rpc-urls"] ?? {}), [network]: value };
  } else if ((PROFILE_KEYS as readonly string[]).includes(key)) {
    checkProfileValue(key as ProfileKey, value);
    profile[key as ProfileKey] = value;
  } else {
    throw configError(key, `unknown key ${key}; one of ${PROFILE_KEYS.join(", ")}, rpc-urls.<network>`);
  }
  saveConfig(file, { ...config, current: config.current ?? name, profiles: { ...config.profiles, [name]: profile } });
  const shown = key === "signer-key" ? maskSecret(value) : value;
  run.out.result({ file, profile: name, key, value: shown });
  run.out.line(`${name}: ${key} = ${shown}`);
  return 0;
}

/** `config show`: every setting as resolved now (flag → env → profile), with its source; secrets masked. */
export function configShow(run: RunContext): number {
  const file = configPath(run.io.env);
  const rows = PROFILE_KEYS.map((key) => {
    const found = run.settings.get(key, undefined, key === "deployments" ? "deployments" : undefined);
    const value = found === undefined ? "" : key === "signer-key" ? maskSecret(found.value) : found.value;
    return { key, value, source: found?.source ?? "unset" };
  });
  const profiles = Object.keys(run.settings.config.profiles);
  run.out.result({
    file,
    profile: run.settings.profileName ?? null,
    profiles,
    settings: rows,
    rpcUrls: run.settings.profile["rpc-urls"] ?? {},
  });
  run.out.line(`config ${file}; profile ${run.settings.profileName ?? "(none)"} of [${profiles.join(", ")}]`);
  run.out.table(
    ["key", "value", "source"],
    rows.map((r) => [r.key, r.value, r.source]),
  );
  return 0;
}

/** `config use-profile <name>`: makes it the current profile. */
export function configUseProfile(run: RunContext, name: string): number {
  const file = configPath(run.io.env);
  const config: ConfigFile = loadConfig(file);
  if (config.profiles[name] === undefined) {
    throw configError(
      "profile",
      `no profile ${name} in ${file} (have: ${Object.keys(config.profiles).join(", ") || "none"}); create it with \`newton config init --profile ${name}\``,
    );
  }
  saveConfig(file, { ...config, current: name });
  run.out.result({ file, current: name });
  run.out.line(`current profile: ${name}`);
  return 0;
}

function masked(profile: Profile): Profile {
  return profile["signer-key"] === undefined
    ? profile
    : { ...profile, "signer-key": maskSecret(profile["signer-key"]) };
}

/** Adds the `config …` commands to `program`. */
export function addConfigCommands(
  program: Command,
  act: (fn: (run: RunContext, ...args: never[]) => Promise<number> | number) => (...args: unknown[]) => Promise<void>,
): void {
  const c = program.command("config").description("profiles in $NEWTON_HOME/config.toml (default ~/.newton)");
  c.command("init")
    .description(
      "write a profile from the global flags (--profile, --chain, --rpc-url, --signer-key, --da-url, --deployments, --policy-registry)",
    )
    .option("--force", "overwrite an existing profile")
    .action(act(configInit));
  c.command("set <key> <value>")
    .description(`set one key of the profile: ${PROFILE_KEYS.join(", ")}, rpc-urls.<network>`)
    .action(act((run, key: string, value: string) => configSet(run, key, value)));
  c.command("show").description("the settings in force and where each comes from").action(act(configShow));
  c.command("use-profile <name>")
    .description("make <name> the current profile")
    .action(act((run, name: string) => configUseProfile(run, name)));
}
