import type { Provider } from "ethers";

import { confirmMainnet, ttyPrompt } from "../../keeper/common/mainnet-guard";

/**
 * The scripts' mainnet guard: on a mainnet chain id (1, 8453, 42161) it asks on the terminal for the chain id
 * (or reads `NEWTON_CONFIRM_MAINNET=<chain id>`) before `action` is sent by `signer`, printing a line that names
 * both; on any other chain it returns at once.
 * @throws the guard's error when the confirmation is missing or names another chain (nothing is sent).
 */
export async function guardScriptOnMainnet(provider: Provider, signer: string, action: string): Promise<void> {
  const { chainId } = await provider.getNetwork();
  await confirmMainnet({
    chainId,
    signer,
    action,
    env: process.env,
    prompt: ttyPrompt(),
    notice: (line) => console.log(line),
    howToConfirm: "run it in a terminal",
  });
}
