/**
 * The devnet's accounts: Hardhat's well-known development keys (mnemonic "test test … junk"), funded on
 * every `hardhat node`. Public knowledge — never use them on a real network.
 */
export const HARDHAT_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
] as const;

/** Who uses which key on the devnet. */
export const DEVNET_ACCOUNTS = {
  /** Deploys the contracts and registers the example templates (the policy author). */
  deployer: HARDHAT_KEYS[0],
  /** Sends `commitStateRoot`. */
  aggregator: HARDHAT_KEYS[1],
  /** Sends `challengeCommit`. */
  challenger: HARDHAT_KEYS[2],
  /** The two clients instances are deployed for; they set their pointers and secrets. */
  clients: [HARDHAT_KEYS[3], HARDHAT_KEYS[4]],
  /** Sends the load generator's user writes (`npm start -- --writes-per-window N`). */
  load: HARDHAT_KEYS[5],
} as const;
