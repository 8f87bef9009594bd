/**
 * `npm run bench:spam` — what it costs to hold one honest write back by crowding the commit windows,
 * under the default mainnet parameters (`config/mainnet.json`: 120 s windows of 10 blocks, a 50 MiB
 * commit cap, 16 MiB per write, write fee 0.1 gwei per declared byte minimum, target 2.5 MiB per block,
 * update fraction 22 255 000 bytes = ×1.125 per block of full demand), beside today's cost (no write
 * fee) measured in the same run.
 *
 * Model: windows commit the log in order, at most `maxCommitBytes` of declared bytes each. To make an
 * honest write wait T, the attacker must have T / window × 50 MiB of declared bytes ahead of it when it
 * is proposed; its cheapest way is to propose them just before, as 16 MiB claims spread over the
 * window's blocks. Without a fee it pays only gas (three 16 MiB claims per window). With the fee, each
 * claim pays `writeFee` at the excess the earlier ones built (the TypeScript twin of the contract,
 * checked against it in the tests); the excess falls by the target per block. Gas is measured on the
 * in-process Hardhat network; wei of gas at 10 gwei.
 *
 * Not a test: it asserts nothing and prints a Markdown table (the README quotes it).
 */
import { ethers } from "hardhat";

import { applyWrite, type WriteFeeParams, type WriteFeeState } from "../keeper/chain";
import { DA_CERT, deployStateCommitRegistry } from "../test/helpers/commits";
import { deployOperatorRegistry } from "../test/helpers/operators";

const MiB = 1024 * 1024;
const WINDOW_SECONDS = 120;
const BLOCKS_PER_WINDOW = 10;
const MAX_COMMIT_BYTES = 50 * MiB;
const CLAIM = 16 * MiB;
const GAS_PRICE = 10n * 10n ** 9n;
const MAINNET: WriteFeeParams = {
  minBaseFeePerByte: 100_000_000n,
  targetBytesPerBlock: 2_621_440n,
  updateFraction: 22_255_000n,
};

/** Gas of one 16 MiB claim (first write of a key), without and with the mainnet fee parameters. */
async function measureClaimGas(): Promise<{ free: bigint; priced: bigint }> {
  const [owner, attacker] = await ethers.getSigners();
  const operators = await deployOperatorRegistry(owner);
  const registry = await deployStateCommitRegistry(owner, await operators.getAddress());
  const claim = async (i: number) => {
    const fee = await registry.writeFee(CLAIM);
    const tx = await registry
      .connect(attacker)
      .proposeWrite(1, ethers.id(`claim-${i}`), ethers.id(`v-${i}`), CLAIM, DA_CERT, { value: fee });
    return (await tx.wait())!.gasUsed;
  };
  await claim(0);
  const free = await claim(1);
  await registry.setWriteFeeParams(MAINNET.minBaseFeePerByte, MAINNET.targetBytesPerBlock, MAINNET.updateFraction);
  await claim(2);
  const priced = await claim(3);
  return { free, priced };
}

/** Byte fees (wei) of `claims` 16 MiB claims spread evenly over one window's blocks, from a zero excess. */
function burstFees(claims: number): bigint {
  let state: WriteFeeState = { excessBytes: 0n, updatedAtBlock: 0n };
  let total = 0n;
  for (let i = 0; i < claims; i++) {
    const block = BigInt(Math.floor((i * BLOCKS_PER_WINDOW) / claims));
    const step = applyWrite(MAINNET, state, block, BigInt(CLAIM));
    total += step.fee;
    state = step.state;
  }
  return total;
}

function eth(wei: bigint): string {
  const s = Number(wei) / 1e18;
  if (s === 0) return "0";
  return s >= 1e6 || s < 1e-3 ? s.toExponential(2) : s.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

async function main(): Promise<void> {
  const gas = await measureClaimGas();
  const rows: string[][] = [];
  for (const [label, seconds] of [
    ["1 window (2 min)", WINDOW_SECONDS],
    ["1 hour", 3600],
    ["24 hours", 86_400],
  ] as const) {
    const windows = seconds / WINDOW_SECONDS;
    // Declared bytes ahead of the honest write: every window until it must be full.
    const claims = Math.ceil((windows * MAX_COMMIT_BYTES) / CLAIM);
    const todayGas = BigInt(claims) * gas.free;
    const feeGas = BigInt(claims) * gas.priced;
    const fees = burstFees(claims);
    rows.push([
      label,
      claims.toLocaleString("en-US"),
      `${todayGas.toLocaleString("en-US")} gas = ${eth(todayGas * GAS_PRICE)} ETH`,
      `${feeGas.toLocaleString("en-US")} gas + ${eth(fees)} ETH of write fees = ${eth(feeGas * GAS_PRICE + fees)} ETH`,
    ]);
  }
  console.log(`\n16 MiB claim: ${gas.free} gas without a fee, ${gas.priced} gas with the mainnet fee parameters\n`);
  console.log(
    "| hold one honest write back for | 16 MiB claims | today (no write fee) | with the write fee (mainnet defaults) |",
  );
  console.log("| --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log(
    `\nAn honest 1 MiB write at the minimum fee pays ${eth(applyWrite(MAINNET, { excessBytes: 0n, updatedAtBlock: 0n }, 0n, BigInt(MiB)).fee)} ETH of write fee; gas at ${GAS_PRICE / 10n ** 9n} gwei.`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
