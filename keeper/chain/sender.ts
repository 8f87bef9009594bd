import type { Provider, TransactionReceipt, Wallet } from "ethers";

import {
  Mutex,
  backoffMs,
  bytesToHex,
  hexToBytes,
  silentLogger,
  sleep,
  type KeeperMetrics,
  type Logger,
} from "../common";
import { decodeRevert } from "./contracts";
import { ChainError } from "./errors";

/** Options of {@link TxSender}. */
export interface TxSenderOptions {
  /** Attempts per transaction (estimate, send, receipt), ≥ 1 (default 5). */
  readonly maxAttempts?: number;
  /** How long to wait for a receipt before the attempt counts as failed, in ms (default 60 000). */
  readonly receiptTimeoutMs?: number;
  /** Gas limit = estimate × (100 + this) / 100 (default 25). */
  readonly gasHeadroomPercent?: number;
  /** Backoff cap before the first retry, in ms; doubles per retry (default 250). */
  readonly retryBaseMs?: number;
}

/** Collaborators of {@link TxSender}. */
export interface TxSenderDeps {
  /** The signing account, connected to the chain's provider. */
  readonly wallet: Wallet;
  readonly logger?: Logger;
  readonly metrics?: KeeperMetrics;
  readonly signal?: AbortSignal;
}

/** One transaction to send. */
export interface TxRequest {
  readonly to: string;
  /** 0x-hex calldata. */
  readonly data: string;
  /** What it is, for logs and errors (e.g. "commitStateRoot(7)"). */
  readonly label: string;
  /** Wei sent with the call (e.g. a challenge bond); default 0. */
  readonly value?: bigint;
}

/**
 * The keeper's single in-process transaction sender for one account: transactions go out one at a
 * time (a FIFO mutex), with the nonce tracked locally and re-read from the chain ("pending") after
 * any failure. Each attempt estimates gas (a revert there is final: `CHAIN_ERROR_REVERTED` with the
 * decoded custom error), sends, and waits for the receipt with a timeout; RPC failures and timeouts
 * are retried with exponential backoff up to `maxAttempts`. A transaction whose receipt timed out
 * may still land: the next attempt's estimate then reverts (e.g. `CommitSequenceGap`), which the
 * caller treats as "re-read the chain", so nothing is applied twice.
 */
export class TxSender {
  private readonly opts: Required<TxSenderOptions>;
  private readonly wallet: Wallet;
  private readonly provider: Provider;
  private readonly log: Logger;
  private readonly metrics?: KeeperMetrics;
  private readonly signal?: AbortSignal;
  private readonly mutex = new Mutex();
  private nonce: number | undefined;

  constructor(opts: TxSenderOptions, deps: TxSenderDeps) {
    this.opts = {
      maxAttempts: opts.maxAttempts ?? 5,
      receiptTimeoutMs: opts.receiptTimeoutMs ?? 60_000,
      gasHeadroomPercent: opts.gasHeadroomPercent ?? 25,
      retryBaseMs: opts.retryBaseMs ?? 250,
    };
    if (deps.wallet.provider === null) throw new Error("TxSender needs a wallet connected to a provider");
    this.wallet = deps.wallet;
    this.provider = deps.wallet.provider;
    this.log = (deps.logger ?? silentLogger()).child({ module: "tx-sender" });
    this.metrics = deps.metrics;
    this.signal = deps.signal;
  }

  /** The sending account's address. */
  get address(): string {
    return this.wallet.address;
  }

  /**
   * Sends `req` and resolves with its successful receipt.
   * @throws ChainError `CHAIN_ERROR_REVERTED` when gas estimation or the mined transaction reverts
   *   (never retried); `CHAIN_ERROR_SEND_FAILED` after `maxAttempts` failed attempts.
   */
  send(req: TxRequest): Promise<TransactionReceipt> {
    return this.mutex.run(() => this.sendLocked(req));
  }

  private async sendLocked(req: TxRequest): Promise<TransactionReceipt> {
    let lastReason = "";
    for (let attempt = 0; attempt < this.opts.maxAttempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt - 1, this.opts.retryBaseMs, 5_000), this.signal);
      try {
        return await this.attempt(req);
      } catch (err) {
        if (err instanceof ChainError && err.code === "CHAIN_ERROR_REVERTED") throw err;
        this.nonce = undefined;
        lastReason = err instanceof Error ? err.message.slice(0, 300) : String(err);
        this.metrics?.rpcErrorsTotal.inc({ op: "send" });
        this.log.warn({ label: req.label, attempt, reason: lastReason }, "transaction attempt failed");
      }
    }
    throw new ChainError(
      { code: "CHAIN_ERROR_SEND_FAILED", label: req.label, attempts: this.opts.maxAttempts, reason: lastReason },
      `${req.label}: no receipt after ${this.opts.maxAttempts} attempts: ${lastReason}`,
    );
  }

  private async attempt(req: TxRequest): Promise<TransactionReceipt> {
    const from = this.wallet.address;
    let gas: bigint;
    try {
      gas = await this.provider.estimateGas({ from, to: req.to, data: req.data, value: req.value });
    } catch (err) {
      const reason = revertReason(err);
      if (reason !== undefined) {
        throw new ChainError(
          { code: "CHAIN_ERROR_REVERTED", label: req.label, reason },
          `${req.label} reverts: ${reason}`,
        );
      }
      throw err;
    }
    const nonce = this.nonce ?? (await this.provider.getTransactionCount(from, "pending"));
    const gasLimit = (gas * BigInt(100 + this.opts.gasHeadroomPercent)) / 100n;
    const response = await this.wallet.sendTransaction({
      to: req.to,
      data: req.data,
      nonce,
      gasLimit,
      value: req.value,
    });
    this.nonce = nonce + 1;
    this.log.info(
      { label: req.label, txHash: response.hash, nonce, gasLimit: gasLimit.toString() },
      "transaction sent",
    );
    const receipt = await this.provider.waitForTransaction(response.hash, 1, this.opts.receiptTimeoutMs);
    if (receipt === null) {
      throw new ChainError(
        {
          code: "CHAIN_ERROR_RECEIPT_TIMEOUT",
          label: req.label,
          txHash: response.hash,
          timeoutMs: this.opts.receiptTimeoutMs,
        },
        `${req.label}: no receipt for ${response.hash} within ${this.opts.receiptTimeoutMs} ms`,
      );
    }
    if (receipt.status !== 1) {
      throw new ChainError(
        { code: "CHAIN_ERROR_REVERTED", label: req.label, reason: `mined with status ${receipt.status}` },
        `${req.label}: transaction ${response.hash} reverted`,
      );
    }
    return receipt;
  }
}

/** The decoded revert of a failed call, or undefined when the failure was not a revert (RPC, network). */
export function revertReason(err: unknown): string | undefined {
  const e = err as { code?: string; data?: string; reason?: string; info?: { error?: { data?: unknown } } };
  if (e?.code !== "CALL_EXCEPTION") return undefined;
  const data = typeof e.data === "string" ? e.data : undefined;
  const decoded = decodeRevert(data);
  if (decoded !== undefined) return decoded;
  if (data !== undefined && data !== "0x") return `revert data ${bytesToHex(hexToBytes(data)).slice(0, 74)}`;
  return e.reason ?? "revert without data";
}
