/**
 * The devnet's load generator: a few user writes every window, so commits keep flowing after the demo
 * (`npm start -- --writes-per-window N`). Each write's bytes go to DA first, then `proposeWrite` (identity
 * namespace 0x01) from a dedicated account; keys cycle over a small set so later windows overwrite
 * earlier leaves instead of only growing the tree.
 */
import { Contract, JsonRpcProvider, Network, Wallet, hexlify, id, keccak256, toUtf8Bytes } from "ethers";

import { STATE_COMMIT_REGISTRY_ABI } from "../../keeper/chain";
import { EigenDaProxyClient } from "../../keeper/da";

/** What {@link LoadGenerator} needs. */
export interface LoadOptions {
  readonly rpcUrl: string;
  readonly chainId: bigint;
  readonly daUrl: string;
  /** StateCommitRegistry proxy address. */
  readonly registry: string;
  /** 0x-hex private key of a funded account used by nobody else (its nonces are managed here). */
  readonly privateKey: string;
  /** Writes per round (0 disables the generator). */
  readonly writesPerRound: number;
  /** Time between the starts of two rounds, in ms (the devnet uses its commit window). */
  readonly intervalMs: number;
  /** Distinct keys written, cycled through (default 16). */
  readonly keys?: number;
  /** Called when a round fails (the next round retries). */
  readonly onError?: (err: unknown) => void;
}

/** Sends `writesPerRound` user writes every `intervalMs` until {@link LoadGenerator.stop}. */
export class LoadGenerator {
  /** Writes mined so far. */
  written = 0;
  private readonly provider: JsonRpcProvider;
  private readonly registry: Contract;
  private readonly da: EigenDaProxyClient;
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;

  constructor(private readonly opts: LoadOptions) {
    this.provider = new JsonRpcProvider(opts.rpcUrl, Network.from(opts.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
      pollingInterval: 250,
    });
    this.registry = new Contract(opts.registry, STATE_COMMIT_REGISTRY_ABI, new Wallet(opts.privateKey, this.provider));
    this.da = new EigenDaProxyClient(
      { url: opts.daUrl, maxRetries: 2, baseDelayMs: 100 },
      { signal: this.controller.signal },
    );
  }

  /** Starts the rounds (the first one immediately); a no-op when `writesPerRound` is 0. */
  start(): void {
    if (this.opts.writesPerRound <= 0) return;
    const tick = (): void => {
      this.round = this.sendRound().catch((err: unknown) => {
        if (!this.controller.signal.aborted) this.opts.onError?.(err);
      });
      void this.round.then(() => {
        if (!this.controller.signal.aborted) this.timer = setTimeout(tick, this.opts.intervalMs);
      });
    };
    tick();
  }

  /** Stops after the round in flight (its pending transaction is not awaited) and releases the RPC connection. */
  async stop(): Promise<void> {
    this.controller.abort();
    clearTimeout(this.timer);
    await this.round;
    this.provider.destroy();
  }

  private async sendRound(): Promise<void> {
    const wallet = this.registry.runner as Wallet;
    let nonce = await this.provider.getTransactionCount(wallet.address, "pending");
    const keys = this.opts.keys ?? 16;
    for (let i = 0; i < this.opts.writesPerRound && !this.controller.signal.aborted; i++) {
      const n = this.written;
      const value = toUtf8Bytes(JSON.stringify({ write: n, at: new Date().toISOString() }));
      const cert = hexlify(await this.da.put(value));
      const tx = (await this.registry.proposeWrite(
        1,
        id(`devnet-load-${n % keys}`),
        keccak256(value),
        value.length,
        cert,
        {
          nonce: nonce++,
        },
      )) as { wait(): Promise<unknown> };
      await tx.wait();
      this.written++;
    }
  }
}
