/**
 * Key-opening challenge gas at `BENCH_JMT_LEAVES` leaves (default 1 000 000): open, resolve by inclusion and by
 * exclusion, settle (answered → Closed; unanswered → rollback + 3 signers slashed), and a whole bisection against a
 * tree whose deepest internal node is withheld (every round's open + resolve, then the slash), beside its peer
 * measured in the same run: the direct `challengeCommit` of a malformed path, what proving a wrong root costs when
 * its tree is published.
 *
 * The tree is the canonical binary model of the JMT (`test/helpers/virtual-tree`, the same hashing as keeper/jmt),
 * so the million leaves need no write log: only the key resolved by inclusion is written on-chain; every other
 * opened key is absent from the log and is answered by an exclusion proof (descents open the sibling prefix padded
 * with zero bits, never a leaf's own key).
 */
import { randomBytes } from "node:crypto";

import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";

import { keyHash, userLeafId } from "../../keeper/chain";
import { correctStateFrom, latestWriteWitness, nextOpeningMove, noWriteRecord } from "../../keeper/challenger";
import type { Hex } from "../../keeper/common";
import type { SparseMerkleProof } from "../../keeper/jmt";
import { OPENING_BOND, RESOLVE_WINDOW, deployNewtonStack } from "../../test/helpers/challenge";
import { nextCommit } from "../../test/helpers/commits";
import { type VNode, canonical, pushDown, replaceAt, vhash, vprove } from "../../test/helpers/virtual-tree";
import { type Row, table } from "./report";

const LEAVES = Number(process.env.BENCH_JMT_LEAVES ?? 1_000_000);
const WEIGHTS = [30n, 30n, 30n, 10n];

type Stack = Awaited<ReturnType<typeof deployNewtonStack>>;

/** keeper/jmt proof form of a model proof (for the challenger's correct view). */
function toKeeperProof(root: VNode, key: Uint8Array): SparseMerkleProof {
  const p = vprove(root, key)!;
  return {
    leaf: p.hasLeaf
      ? { keyHash: ethers.getBytes(p.leafKeyHash), valueHash: ethers.getBytes(p.leafValueHash) }
      : undefined,
    siblings: p.siblings.map((s) => ethers.getBytes(s)),
  };
}

/** Path bits (0 = left) of the deepest internal node. */
function deepestInternal(root: VNode): number[] {
  let best: number[] = [];
  const walk = (node: VNode, path: number[]): void => {
    if (node.kind !== "internal") return;
    if (path.length > best.length) best = [...path];
    path.push(0);
    walk(node.left, path);
    path[path.length - 1] = 1;
    walk(node.right, path);
    path.pop();
  };
  walk(root, []);
  return best;
}

/** The key's first `bits` bits, every later bit zero. */
function prefixOnly(key: Hex, bits: number): Hex {
  const n = BigInt(key);
  return ethers.toBeHex(bits === 0 ? 0n : (n >> BigInt(256 - bits)) << BigInt(256 - bits), 32) as Hex;
}

async function commit(stack: Stack, root: Uint8Array): Promise<bigint> {
  const {
    commit: c,
    proof,
    daCert,
  } = await nextCommit(
    stack.stateCommitRegistry,
    stack.operatorRegistry,
    stack.operators,
    { stateRoot: ethers.hexlify(root) as Hex },
    { nonSigners: [stack.operators[3].address] },
  );
  await (await stack.stateCommitRegistry.commitStateRoot(c, daCert, proof)).wait();
  return c.sequenceNo;
}

const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
  (await (await tx).wait())!.gasUsed;

/** Prints the opening-challenge table. */
export async function openings(): Promise<void> {
  const [owner, alice, challenger, resolver] = await ethers.getSigners();
  const stack = await deployNewtonStack(owner, WEIGHTS);
  const v = stack.challengeVerifier;
  // One real write (resolved by inclusion); the rest of the tree is random.
  const valueHash = ethers.keccak256("0x01") as Hex;
  await (await stack.stateCommitRegistry.connect(alice).proposeWrite(1, ethers.id("k"), valueHash, 1, "0x01")).wait();
  const written = keyHash(1, userLeafId(alice.address, ethers.id("k")));
  const log = [
    { writeIndex: 0n, namespace: 1, keyHash: written, valueHash, byteLength: 1, prevWriteIndex: 2n ** 64n - 1n },
  ];
  const entries: [Uint8Array, Uint8Array][] = Array.from({ length: LEAVES - 1 }, () => [
    randomBytes(32),
    randomBytes(32),
  ]);
  entries.push([ethers.getBytes(written), ethers.getBytes(valueHash)]);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const honest = canonical(entries);
  const keys = entries.map(([k]) => k);

  // Honest commit: open, resolve (inclusion, exclusion), settle.
  let seq = await commit(stack, vhash(honest));
  const open = await gasOf(v.connect(challenger).openKey(seq, written, 0, { value: OPENING_BOND }));
  let id = await v.openingCount();
  const inclusion = vprove(honest, ethers.getBytes(written))!;
  const w = latestWriteWitness(log, written, 1n);
  const resolveIn = await gasOf(v.connect(resolver).resolveOpening(id, w.write, w.successor, inclusion));
  const absent = ethers.hexlify(randomBytes(32)) as Hex;
  await (await v.connect(challenger).openKey(seq, absent, 0, { value: OPENING_BOND })).wait();
  const exclusion = vprove(honest, ethers.getBytes(absent))!;
  const nw = latestWriteWitness(log, absent, 1n);
  const resolveEx = await gasOf(
    v.connect(resolver).resolveOpening(await v.openingCount(), nw.write, nw.successor, exclusion),
  );
  await mine(RESOLVE_WINDOW + 1n);
  const settleClosed = await gasOf(v.settleOpening(id));
  await (await v.settleOpening(id + 1n)).wait();

  // Unanswered: a random root, settled after the window (rollback + 3 colluders slashed).
  seq = await commit(stack, randomBytes(32));
  await (await v.connect(challenger).openKey(seq, absent, 0, { value: OPENING_BOND })).wait();
  await mine(RESOLVE_WINDOW + 1n);
  const settleSlash = await gasOf(v.settleOpening(await v.openingCount()));

  // Peer: the direct fraud proof the game ends like, when the tree is published (the written key's leaf left
  // uncollapsed one level down: every key still reads correctly, only the path is malformed).
  const pathBits: number[] = [];
  let node: VNode = honest;
  const writtenBytes = ethers.getBytes(written);
  while (node.kind === "internal") {
    const bit = (writtenBytes[pathBits.length >> 3] >> (7 - (pathBits.length & 7))) & 1;
    pathBits.push(bit);
    node = bit === 1 ? node.right : node.left;
  }
  const pushed = replaceAt(honest, pathBits, (leaf) => pushDown(leaf, pathBits.length));
  const stack3 = await deployNewtonStack(owner, WEIGHTS, 42);
  await (await stack3.stateCommitRegistry.connect(alice).proposeWrite(1, ethers.id("k"), valueHash, 1, "0x01")).wait();
  seq = await commit(stack3, vhash(pushed));
  const direct = await gasOf(
    stack3.challengeVerifier
      .connect(challenger)
      .challengeCommit(seq, w.write, w.successor, vprove(pushed, writtenBytes)!),
  );

  // A whole bisection: the deepest internal node of the tree is withheld.
  const stack2 = await deployNewtonStack(owner, WEIGHTS, 41);
  const v2 = stack2.challengeVerifier;
  const deepest = deepestInternal(honest);
  const tampered = replaceAt(honest, deepest, () => ({ kind: "opaque", hash: randomBytes(32) }));
  seq = await commit(stack2, vhash(tampered));
  const correct = correctStateFrom((k) => toKeeperProof(honest, k), keys);
  // Start on the other half of the tree from the withheld node: the longest way down.
  let key = (deepest[0] === 0 ? `0x${"f".repeat(64)}` : `0x${"0".repeat(64)}`) as Hex;
  let level = 0;
  let total = await gasOf(v2.connect(challenger).openKey(seq, key, 0, { value: OPENING_BOND }));
  id = await v2.openingCount();
  let rounds = 1;
  for (;;) {
    const proof = vprove(tampered, ethers.getBytes(key));
    if (proof === null) {
      await mine(RESOLVE_WINDOW + 1n);
      total += await gasOf(v2.settleOpening(id));
      break;
    }
    const nr = noWriteRecord(key);
    const succ = { keyHasNoLaterWrite: true, next: noWriteRecord(ethers.ZeroHash as Hex) };
    total += await gasOf(v2.connect(resolver).resolveOpening(id, nr, succ, proof));
    const move = nextOpeningMove({ keyHash: key, level, proof, correct });
    if (move.kind !== "descend") throw new Error(`bisection ended with ${move.kind}, expected a descent`);
    key = prefixOnly(move.keyHash, move.level);
    level = move.level;
    total += await gasOf(v2.connect(challenger).openKey(seq, key, id, { value: OPENING_BOND }));
    id = await v2.openingCount();
    rounds++;
  }

  const rows: Row[] = [
    ["openKey (challenge of the root)", open],
    [`resolveOpening, inclusion (${inclusion.siblings.length} siblings)`, resolveIn],
    [`resolveOpening, exclusion (${exclusion.siblings.length} siblings)`, resolveEx],
    ["settleOpening, answered (Closed, hold released)", settleClosed],
    ["settleOpening, unanswered (rollback + 3 signers slashed)", settleSlash],
    [
      `whole bisection to a withheld node at depth ${deepest.length}: ${rounds} rounds (open + resolve each) + settle`,
      total,
    ],
    [`peer: challengeCommit of a malformed path when the tree is published (rollback + 3 signers slashed)`, direct],
  ];
  table(
    `Key-opening challenge, ${LEAVES.toLocaleString("en-US")}-leaf tree (total transaction gas)`,
    ["transaction", "gasUsed"],
    rows,
  );
}
