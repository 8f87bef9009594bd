/**
 * The mainnet guard shared by the deploy scripts and the `newton` CLI: before the first transaction
 * on a chain whose id is a mainnet's (1 Ethereum, 8453 Base, 42161 Arbitrum One), the operator must
 * confirm explicitly — a `--yes` flag, `NEWTON_CONFIRM_MAINNET=<chain id>` in the environment, or
 * typing the chain id at an interactive prompt that names the chain and the signer. Without one of
 * them it refuses; it never proceeds silently (every confirmed run prints a line naming both).
 *
 * The chain id comes from the RPC (`eth_chainId`), not from a network name, so a mainnet RPC behind
 * a harmless-looking network name is still caught.
 */
import { createInterface } from "node:readline/promises";

/** Chain id (decimal) → name, for every chain the guard protects. */
export const MAINNET_CHAINS: Readonly<Record<string, string>> = Object.freeze({
  "1": "Ethereum mainnet",
  "8453": "Base",
  "42161": "Arbitrum One",
});

/** The environment variable that confirms one chain non-interactively: its value must be that chain id. */
export const CONFIRM_MAINNET_ENV = "NEWTON_CONFIRM_MAINNET";

/** The protected chain's name, or undefined when `chainId` is not a mainnet. */
export function mainnetName(chainId: bigint | number): string | undefined {
  return MAINNET_CHAINS[BigInt(chainId).toString()];
}

/** Asks one question, resolves with the answer line. */
export type Prompt = (question: string) => Promise<string>;

/** What {@link confirmMainnet} checks. */
export interface MainnetGuardRequest {
  /** The chain id the RPC reports. */
  readonly chainId: bigint | number;
  /** The address that will sign the transactions, 0x-hex. */
  readonly signer: string;
  /** What is about to happen, e.g. `deploy Newton State`, for the messages. */
  readonly action: string;
  /** The caller's `--yes`. */
  readonly yes?: boolean;
  /** Environment holding {@link CONFIRM_MAINNET_ENV}. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** An interactive prompt (see {@link ttyPrompt}); undefined when there is no terminal. */
  readonly prompt?: Prompt;
  /** Where the confirmation line goes (stderr or a log). */
  readonly notice: (line: string) => void;
  /** How to confirm in this tool, for the refusal message, e.g. `pass --yes`. */
  readonly howToConfirm?: string;
}

/** The guard refused: nothing may be sent. The message names the chain, the signer and how to confirm. */
export class MainnetGuardError extends Error {
  constructor(
    message: string,
    /** The refused chain id. */
    readonly chainId: bigint,
  ) {
    super(message);
    this.name = "MainnetGuardError";
  }
}

/**
 * Lets the caller proceed on `req.chainId`, or throws.
 * @returns how the run was allowed: `not-mainnet` (nothing asked), `yes`, `env` or `prompt`.
 * @throws MainnetGuardError on a mainnet when neither `yes`, nor `NEWTON_CONFIRM_MAINNET` equal to
 *   the chain id, nor a prompt answered with the chain id confirms it; also when
 *   `NEWTON_CONFIRM_MAINNET` is set to another chain id (it confirms one chain only).
 */
export async function confirmMainnet(req: MainnetGuardRequest): Promise<"not-mainnet" | "yes" | "env" | "prompt"> {
  const chainId = BigInt(req.chainId);
  const name = mainnetName(chainId);
  if (name === undefined) return "not-mainnet";
  const target = `${name} (chain id ${chainId}) as ${req.signer}`;
  if (req.yes === true) {
    req.notice(`mainnet: about to ${req.action} on ${target}; confirmed by --yes`);
    return "yes";
  }
  const confirmed = req.env[CONFIRM_MAINNET_ENV];
  if (confirmed !== undefined && confirmed !== "") {
    if (confirmed.trim() !== chainId.toString()) {
      throw new MainnetGuardError(
        `refusing to ${req.action} on ${target}: ${CONFIRM_MAINNET_ENV}=${confirmed} confirms another chain; set it to ${chainId}`,
        chainId,
      );
    }
    req.notice(`mainnet: about to ${req.action} on ${target}; confirmed by ${CONFIRM_MAINNET_ENV}=${chainId}`);
    return "env";
  }
  const how = req.howToConfirm ?? "pass --yes";
  if (req.prompt === undefined) {
    throw new MainnetGuardError(
      `refusing to ${req.action} on ${target} without confirmation: ${how}, set ${CONFIRM_MAINNET_ENV}=${chainId}, or run in a terminal to confirm interactively`,
      chainId,
    );
  }
  const answer = await req.prompt(
    `About to ${req.action} on ${target}. Type the chain id (${chainId}) to confirm, anything else aborts: `,
  );
  if (answer.trim() !== chainId.toString()) {
    throw new MainnetGuardError(
      `refusing to ${req.action} on ${target}: not confirmed (answer "${answer.trim()}")`,
      chainId,
    );
  }
  req.notice(`mainnet: about to ${req.action} on ${target}; confirmed interactively`);
  return "prompt";
}

/**
 * A prompt on a terminal: reads one line from `input` after writing the question to `output`;
 * undefined when `input` is not a TTY (a pipe, CI), so the guard refuses instead of hanging.
 */
export function ttyPrompt(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompt | undefined {
  if (input.isTTY !== true) return undefined;
  return async (question) => {
    const rl = createInterface({ input, output });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}
