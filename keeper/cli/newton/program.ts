import { Command, CommanderError } from "commander";
import pino from "pino";

import { MainnetGuardError, confirmMainnet } from "../../common/mainnet-guard";
import { loadConfig, configPath, type GlobalFlags } from "./config";
import { addConfigCommands } from "./config-commands";
import type { RunContext } from "./context";
import { addDescribeCommand } from "./describe";
import { NewtonError, checkError } from "./errors";
import { Output, type NewtonIo } from "./io";
import { addDataInstanceCommands } from "./policy-data-instance";
import { addDataTemplateCommands } from "./policy-data-template";
import { addPolicyInstanceCommands } from "./policy-instance";
import { addPolicyTemplateCommands } from "./policy-template";
import { Settings } from "./settings";

/** A command handler: `(run, options)` or `(run, ...positional)`; returns the exit code. */
type Handler = (run: RunContext, ...args: never[]) => Promise<number> | number;

/**
 * Runs `newton` in-process: parses `argv` (without `node` and the script), runs the command against `io`,
 * and returns the exit code — 0 ok, 1 a failed check/DA/transaction, 2 a usage or config error. Never
 * throws and never calls `process.exit`.
 * @param argv - e.g. `["policy", "template", "register", "--rego", "p.rego"]`.
 */
export async function runNewton(argv: readonly string[], io: NewtonIo): Promise<number> {
  const state = { code: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return state.code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const code = err instanceof NewtonError ? err.exitCode : 1;
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return code;
  }
}

function buildProgram(io: NewtonIo, state: { code: number }): Command {
  const program = new Command("newton")
    .description("Newton State policy CLI: templates, instances, secrets, profiles")
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .option("--profile <name>", "config profile (default: the current one)")
    .option("--chain <network>", "network name: deployments/<network>.json (env NEWTON_CHAIN)")
    .option("--rpc-url <url>", "JSON-RPC URL (env NEWTON_RPC_URL)")
    .option("--signer-key <hex>", "signer private key, 0x-hex (env NEWTON_SIGNER_KEY; prefer the env or profile)")
    .option("--da-url <url>", "eigenda-proxy URL, or a comma-separated fail-over list (env NEWTON_DA_URL)")
    .option("--deployments <dir>", "deployment records folder (default ./deployments)")
    .option("--policy-registry <address>", "PolicyRegistry proxy, instead of the deployment record")
    .option("--yes", "confirm transactions on a mainnet (chain id 1, 8453, 42161) without the prompt")
    .option("--json", "machine-readable output on stdout")
    .option("--verbose", "debug logs (pino JSON) on stderr");
  const act =
    (fn: Handler) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args.at(-1) as Command;
      const positional = args.slice(0, cmd.registeredArguments.length);
      const run = makeRun(io, cmd.optsWithGlobals<GlobalFlags>());
      const handler = fn as (run: RunContext, ...a: unknown[]) => Promise<number> | number;
      state.code = await (positional.length > 0 ? handler(run, ...positional) : handler(run, cmd.opts()));
    };
  const policy = program.command("policy").description("policy templates and instances");
  addPolicyTemplateCommands(policy, act);
  addPolicyInstanceCommands(policy, act);
  addDescribeCommand(policy, act);
  const data = program.command("policy-data").description("policy-data templates, instances and secrets");
  addDataTemplateCommands(data, act);
  addDataInstanceCommands(data, act);
  addConfigCommands(program, act);
  for (const c of allCommands(program)) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

function makeRun(io: NewtonIo, flags: GlobalFlags): RunContext {
  const config = loadConfig(configPath(io.env));
  const logger = pino(
    { level: flags.verbose ? "debug" : "silent", name: "newton" },
    { write: (s: string) => void io.stderr.write(s) },
  );
  return {
    io,
    out: new Output(io, flags.json === true),
    settings: new Settings(flags, io.env, config),
    logger,
    cwd: io.cwd ?? process.cwd(),
    guardMainnet: mainnetGuard(io, flags),
  };
}

/** The run's mainnet guard: asks once per chain id, then remembers the confirmation for this run. */
function mainnetGuard(io: NewtonIo, flags: GlobalFlags): RunContext["guardMainnet"] {
  const confirmed = new Set<bigint>();
  return async (ctx, signer, action) => {
    if (confirmed.has(ctx.chainId)) return;
    try {
      await confirmMainnet({
        chainId: ctx.chainId,
        signer,
        action: `${action} (${ctx.target.label})`,
        yes: flags.yes === true,
        env: io.env,
        prompt: io.prompt,
        notice: (line) => void io.stderr.write(`${line}\n`),
        howToConfirm: "pass --yes",
      });
    } catch (err) {
      if (err instanceof MainnetGuardError) throw checkError("mainnetConfirmation", err.message, ctx.target.label);
      throw err;
    }
    confirmed.add(ctx.chainId);
  };
}
