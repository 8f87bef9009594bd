import { ethers } from "hardhat";

/** One row of a Markdown table. */
export type Row = (string | bigint | number)[];

/** Prints a Markdown table (bigints with thousands separators). */
export function table(title: string, header: string[], rows: Row[]): void {
  console.log(`\n### ${title}\n`);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  const cell = (c: Row[number]) => (typeof c === "bigint" ? c.toLocaleString("en-US") : String(c));
  for (const r of rows) console.log(`| ${r.map(cell).join(" | ")} |`);
}

/** a / b with two decimals. */
export function ratio(a: bigint, b: bigint): string {
  return (Number(a) / Number(b)).toFixed(2);
}

/** 21 000 + EIP-2028 calldata gas (4 per zero byte, 16 per non-zero byte). */
export function intrinsicGas(data: string): bigint {
  let gas = 21_000n;
  for (const byte of ethers.getBytes(data)) gas += byte === 0 ? 4n : 16n;
  return gas;
}

/** Sends `data` to `to` as a transaction and returns its execution gas (receipt gasUsed − intrinsic gas). */
export async function executionGas(to: string, data: string): Promise<bigint> {
  const [sender] = await ethers.getSigners();
  const receipt = await (await sender.sendTransaction({ to, data, gasLimit: 10_000_000 })).wait();
  return receipt!.gasUsed - intrinsicGas(data);
}
