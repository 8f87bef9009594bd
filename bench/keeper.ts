/**
 * Keeper window benchmark (the README's Benchmarks section): one window of 10 000 writes and 64 operators on the
 * in-process Hardhat chain, from window close to the commit mined, split into phases; and
 * verify + aggregate of 256 operator signatures with blst batch verification vs one by one (the
 * peer, same run). Run: `npm run bench:keeper` (`BENCH_KEEPER_WRITES`, `BENCH_KEEPER_OPERATORS`).
 *
 * What runs as in production: the aggregator's window code (keeper/window: values fetched over HTTP
 * from a local DA server, scratch JMT version on LMDB, delta encode, dispersal), an operator's
 * sign-request check (delta decode + check against the write log + its own JMT version on LMDB;
 * operators do this in parallel, so it counts once), signature collection over HTTP from 64
 * signing endpoints in this process with batch verification on arrival, and `commitStateRoot`
 * through the keeper's TxSender. DA phases are listed but excluded from the window total (docs/protocol.md §6:
 * EigenDA certification takes 10–20 s and is not the keeper's).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { Signature } from "@chainsafe/blst";
import { Contract, JsonRpcProvider, Network, Wallet, getBytes, hexlify, keccak256, randomBytes } from "ethers";
import hre from "hardhat";

import { collectSignatures, loadOperatorSet } from "../keeper/aggregator";
import { aggregateSignatures, generateKeypair, sign, verify, verifyBatch, type SignatureSetItem } from "../keeper/bls";
import {
  EMPTY_TREE_ROOT,
  OPERATOR_REGISTRY_ABI,
  STATE_COMMIT_REGISTRY_ABI,
  TxSender,
  stateCommitDigest,
  stateCommitRegistryInterface,
  writeRecordHash,
  type IndexedWrite,
  type StateCommit,
} from "../keeper/chain";
import { bytesToHex, silentLogger, type Hex } from "../keeper/common";
import { DaServer, EigenDaProxyClient } from "../keeper/da";
import { decodeDelta } from "../keeper/delta";
import { buildSignerProof } from "../keeper/bls";
import {
  KeeperState,
  buildDelta,
  checkDelta,
  disperseDelta,
  encodeSignRequest,
  fetchDelta,
  fetchWindowValues,
} from "../keeper/window";
import { encodeDelta } from "../keeper/delta";
import { makeOperators, registerOperator, deployOperatorRegistry } from "../test/helpers/operators";
import { deployStateCommitRegistry } from "../test/helpers/commits";

const WRITES = Number(process.env.BENCH_KEEPER_WRITES ?? 10_000);
const OPERATORS = Number(process.env.BENCH_KEEPER_OPERATORS ?? 64);
const SIGNATURES = 256;
/** Hardhat account 1 (mnemonic "test test … junk"): submits the commit through TxSender. */
const SUBMITTER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

const ms = (t0: number): number => performance.now() - t0;

async function timed<T>(
  rows: [string, number, string][],
  name: string,
  note: string,
  fn: () => Promise<T> | T,
): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  rows.push([name, ms(t0), note]);
  return out;
}

/** Proposes `n` writes with bytes on DA; returns them as the indexer would. */
async function proposeWrites(registry: Contract, da: EigenDaProxyClient, n: number): Promise<IndexedWrite[]> {
  const values: Uint8Array[] = Array.from({ length: n }, () => randomBytes(100));
  const certs: string[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++;
        certs[i] = hexlify(await da.put(values[i]));
      }
    }),
  );
  await hre.network.provider.send("evm_setAutomine", [false]);
  const [signer] = await hre.ethers.getSigners();
  let nonce = await signer.getNonce();
  for (let i = 0; i < n; i++) {
    await registry.proposeWrite(
      1,
      keccak256(new Uint8Array([i >> 8, i & 0xff, 7])),
      keccak256(values[i]),
      100,
      certs[i],
      {
        nonce: nonce++,
        gasLimit: 200_000,
      },
    );
    if (i % 200 === 199 || i === n - 1) await hre.network.provider.send("evm_mine", []);
  }
  await hre.network.provider.send("evm_setAutomine", [true]);
  const logs = await registry.queryFilter(registry.filters.WriteProposed());
  const latest = new Map<string, bigint>();
  return logs.map((log) => {
    const p = stateCommitRegistryInterface.parseLog(log)!;
    const keyHash = (p.args.keyHash as string).toLowerCase() as Hex;
    const writeIndex = p.args.writeIndex as bigint;
    const prevWriteIndex = latest.get(keyHash) ?? 2n ** 64n - 1n;
    latest.set(keyHash, writeIndex);
    const valueHash = (p.args.valueHash as string).toLowerCase() as Hex;
    const byteLength = Number(p.args.byteLength);
    return {
      writeIndex,
      namespace: 1,
      keyHash,
      valueHash,
      byteLength,
      prevWriteIndex,
      recordHash: writeRecordHash({ namespace: 1, keyHash, valueHash, byteLength, prevWriteIndex }),
      writer: p.args.writer as string,
      daCert: (p.args.daCert as string).toLowerCase() as Hex,
      blockNumber: log.blockNumber,
      txHash: log.transactionHash as Hex,
      logIndex: log.index,
    };
  });
}

/** 64 signing endpoints: each answers a sign request with its operator's signature over the digest. */
async function startSigners(
  ops: ReturnType<typeof makeOperators>,
  chainId: bigint,
  registry: string,
): Promise<Server[]> {
  const servers: Server[] = [];
  for (const op of ops) {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, string>;
        const commit: StateCommit = {
          sequenceNo: BigInt(body.sequenceNo),
          prevStateRoot: body.prevStateRoot as Hex,
          stateRoot: body.stateRoot as Hex,
          writeIndexEnd: BigInt(body.writeIndexEnd),
          referenceBlock: BigInt(body.referenceBlock),
          daCommitment: body.daCommitment as Hex,
          operatorSetId: BigInt(body.operatorSetId),
        };
        const sig = sign(op.keypair.secretKey, getBytes(stateCommitDigest(chainId, registry, commit)));
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            signature: bytesToHex(sig.toBytes(true)),
            publicKey: bytesToHex(op.keypair.pubkeyCompressed),
            operator: op.address,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
  }
  return servers;
}

async function windowBench(): Promise<[string, number, string][]> {
  const rows: [string, number, string][] = [];
  const [owner] = await hre.ethers.getSigners();
  const operatorRegistry = await deployOperatorRegistry(owner);
  const ops = makeOperators(OPERATORS, 77);
  for (const op of ops) await registerOperator(operatorRegistry, op, 10n);
  const scr = await deployStateCommitRegistry(owner, await operatorRegistry.getAddress());
  const registryAddress = await scr.getAddress();
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  const daServer = new DaServer();
  const { url: daUrl } = await daServer.start(0);
  const da = new EigenDaProxyClient({ url: daUrl, maxRetries: 1 });
  const writes = await proposeWrites(new Contract(registryAddress, STATE_COMMIT_REGISTRY_ABI, owner), da, WRITES);
  const dir = mkdtempSync(path.join(os.tmpdir(), "newton-bench-keeper-"));
  const aggState = await KeeperState.open({ path: path.join(dir, "aggregator") });
  const opState = await KeeperState.open({ path: path.join(dir, "operator") });
  const servers = await startSigners(ops, chainId, registryAddress);
  // A JSON-RPC view of the in-process chain for the keeper's TxSender (as the CLI uses).
  const rpc = await startRpcBridge();
  const provider = new JsonRpcProvider(rpc.url, Network.from(chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    pollingInterval: 50,
  });
  const sender = new TxSender({ receiptTimeoutMs: 30_000 }, { wallet: new Wallet(SUBMITTER_KEY, provider) });
  const requestSigner = new Wallet(SUBMITTER_KEY);
  const opRegistryRo = new Contract(await operatorRegistry.getAddress(), OPERATOR_REGISTRY_ABI, provider);
  const set = await loadOperatorSet(opRegistryRo, provider, 0, new Map(), silentLogger());

  const close = performance.now();
  const referenceBlock = BigInt(await provider.getBlockNumber()) - 1n;
  const fetched = await timed(rows, "DA: fetch 10 000 values (excluded)", "HTTP, keccak-checked", () =>
    fetchWindowValues(da, writes, { concurrency: 32 }),
  );
  const end = BigInt(writes.length);
  const scratch = await timed(rows, "JMT apply (scratch version)", "LMDB-backed, not persisted", () =>
    aggState.compute(1, end, fetched),
  );
  const delta = buildDelta(
    {
      chainId,
      registry: registryAddress.toLowerCase() as Hex,
      sequenceNo: 1n,
      prevRoot: EMPTY_TREE_ROOT,
      newRoot: scratch.root,
      writeIndexStart: 0n,
      writeIndexEnd: end,
    },
    fetched,
  );
  const blob = await timed(rows, "delta encode", "", () => encodeDelta(delta));
  const pointer = await timed(rows, "DA: disperse delta (excluded)", `${blob.length} bytes`, () =>
    disperseDelta(da, delta, { maxBlobBytes: 16_252_897 }),
  );
  const commit: StateCommit = {
    sequenceNo: 1n,
    prevStateRoot: EMPTY_TREE_ROOT,
    stateRoot: scratch.root,
    writeIndexEnd: end,
    referenceBlock,
    daCommitment: keccak256(pointer.daCert) as Hex,
    operatorSetId: set.operatorSetId,
  };
  const opDelta = await timed(rows, "DA: operator fetches delta (excluded)", "", () => fetchDelta(da, pointer));
  await timed(rows, "operator check + JMT apply (each, in parallel)", "decode, check vs log, own tree", () => {
    decodeDelta(blob);
    const checked = checkDelta(opDelta, { chainId, registry: registryAddress, commit, writeIndexStart: 0n }, writes);
    const ours = opState.compute(1, end, checked);
    if (ours.root !== scratch.root) throw new Error("operator root differs");
  });
  const digest = getBytes(stateCommitDigest(chainId, registryAddress, commit));
  const endpoints = servers.map((s) => ({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` }));
  const signatures = await timed(
    rows,
    `signature collection (${OPERATORS} operators)`,
    "HTTP + batch verify on arrival",
    () =>
      collectSignatures(
        endpoints,
        encodeSignRequest(commit, pointer, hexlify(digest) as Hex, requestSigner),
        digest,
        set,
        {
          timeoutMs: 10_000,
          logger: silentLogger(),
        },
      ),
  );
  const receipt = await timed(rows, "submission (commitStateRoot mined)", "TxSender: estimate, send, receipt", () => {
    const proof = buildSignerProof(set.members, signatures);
    const data = stateCommitRegistryInterface.encodeFunctionData("commitStateRoot", [commit, pointer.daCert, proof]);
    return sender.send({ to: registryAddress, data, label: "commitStateRoot(1)" });
  });
  await timed(rows, "persist version", "after the commit is mined", () => aggState.persist(scratch));
  const total = ms(close);
  const excluded = rows.filter((r) => r[0].startsWith("DA:")).reduce((n, r) => n + r[1], 0);
  rows.push(["window close → commit mined, excl. DA", total - excluded, `target ≤ 2 000 ms; gas ${receipt.gasUsed}`]);
  for (const s of servers) s.close();
  await rpc.stop();
  provider.destroy();
  await daServer.stop();
  await aggState.close();
  await opState.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

/** Serves the in-process Hardhat network over HTTP JSON-RPC (what a keeper process talks to). */
async function startRpcBridge(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const call = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        id: number;
        method: string;
        params?: unknown[];
      };
      hre.network.provider
        .send(call.method, call.params ?? [])
        .then((result: unknown) => ({ jsonrpc: "2.0", id: call.id, result }))
        .catch((err: { code?: number; message?: string; data?: unknown }) => ({
          jsonrpc: "2.0",
          id: call.id,
          error: { code: err.code ?? -32603, message: err.message ?? "error", data: err.data },
        }))
        .then((body) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function signatureBench(): [string, number, string][] {
  const message = getBytes(keccak256("0x01"));
  const keys = Array.from({ length: SIGNATURES }, (_, i) =>
    generateKeypair(getBytes(keccak256(new Uint8Array([i, 1, 2, 3])))),
  );
  const items: SignatureSetItem[] = keys.map((k) => ({
    message,
    publicKey: k.publicKey,
    signature: sign(k.secretKey, message),
  }));
  const batch: number[] = [];
  const single: number[] = [];
  for (let run = 0; run < 5; run++) {
    let t0 = performance.now();
    if (!verifyBatch(items)) throw new Error("batch failed");
    aggregateSignatures(items.map((i) => i.signature) as Signature[]);
    batch.push(ms(t0));
    t0 = performance.now();
    for (const i of items) if (!verify(i.publicKey, i.message, i.signature)) throw new Error("verify failed");
    aggregateSignatures(items.map((i) => i.signature) as Signature[]);
    single.push(ms(t0));
  }
  const b = median(batch);
  const s = median(single);
  return [
    [`verify + aggregate ${SIGNATURES} signatures: blst batch`, b, `target ≤ 50 ms; median of 5`],
    [`verify + aggregate ${SIGNATURES} signatures: one by one (peer)`, s, `batch is ${(s / b).toFixed(1)}× faster`],
  ];
}

function printTable(title: string, rows: [string, number, string][]): void {
  console.log(`\n${title}`);
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${"phase".padEnd(w)} | ${"ms".padStart(9)} | note`);
  console.log(`${"-".repeat(w)}-|-${"-".repeat(9)}-|-----`);
  for (const [name, t, note] of rows) console.log(`${name.padEnd(w)} | ${t.toFixed(1).padStart(9)} | ${note}`);
}

async function main(): Promise<void> {
  printTable(`verify + aggregate (blst ${SIGNATURES} signatures, same message)`, signatureBench());
  printTable(`one window: ${WRITES} writes, ${OPERATORS} operators, in-process Hardhat chain`, await windowBench());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
