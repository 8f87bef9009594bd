import { expect } from "chai";
import { Contract, JsonRpcProvider, Network, ZeroHash, getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";

import {
  EMPTY_TREE_ROOT,
  OPERATOR_REGISTRY_ABI,
  stateCommitRegistryInterface,
  type StateCommit,
} from "../../../keeper/chain";
import type { Hex } from "../../../keeper/common";
import { EigenDaProxyClient } from "../../../keeper/da";
import { encodeDelta } from "../../../keeper/delta";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../../../keeper/jmt";
import {
  RestartableDa,
  deployDevnet,
  ensureDir,
  freePort,
  funded,
  removeDir,
  startHardhatNode,
  tempDir,
  waitFor,
  writeSecretsKey,
  type DevnetDeployment,
  type KeeperProcess,
  type Proc,
} from "./helpers/devnet";
import {
  Writer,
  liveCommits,
  makeAggregatorProcess,
  makeChallengerProcess,
  makeOperatorProcesses,
  recomputeRoots,
  submitColludingCommit,
  writeLog,
} from "./helpers/keepers";

/** Four honest operators (weight 10 each, keeper processes) and two colluders (50 each, keys held by the test). */
const WEIGHTS = [10, 10, 10, 10, 50, 50];
const COLLUDERS = [4, 5];

/**
 * A malicious quorum commits a wrong root. Invariant: the challenger process proves it within the
 * challenge window, the registry rolls back, the colluders are slashed out of the set, and the
 * honest operators' next commit holds the write log's root.
 */
describe("keeper roles: challenger", function () {
  this.timeout(300_000);
  let dir: string;
  let node: { url: string; proc: Proc };
  let deployment: DevnetDeployment;
  let da: RestartableDa;
  let processes: KeeperProcess[] = [];
  let challenger: KeeperProcess;
  let writer: Writer;
  let failed = false;

  before(async function () {
    dir = tempDir("newton-keeper-challenger-");
    node = await startHardhatNode(dir);
    deployment = await deployDevnet(node.url, dir, WEIGHTS, 9);
    const provider = new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true });
    await provider.send("evm_setIntervalMining", [500]);
    provider.destroy();
    da = new RestartableDa(await freePort(), ensureDir(`${dir}/da`));
    await da.restart();
    const setup = {
      dir,
      rpcUrl: node.url,
      daUrl: da.url,
      deployment,
      secretsKeyFile: writeSecretsKey(dir).file,
      windowSeconds: 1,
    };
    const { procs, urls } = await makeOperatorProcesses(setup, [0, 1, 2, 3]);
    const { proc: aggregator } = await makeAggregatorProcess(setup, urls);
    challenger = await makeChallengerProcess(setup);
    processes = [...procs, aggregator, challenger];
    for (const p of processes) p.start();
    writer = new Writer(funded(3, node.url), deployment.record.contracts.StateCommitRegistry.proxy, da.url);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async function () {
    await Promise.all(processes.map((p) => p.stop()));
    await da?.stop();
    await node?.proc.stop();
    if (failed) console.log(`keeper logs kept in ${dir}`);
    else if (dir) removeDir(dir);
  });

  it("proves a wrong root committed by a colluding quorum; the registry rolls back, the colluders are slashed and the honest operators re-commit", async function () {
    await writer.write(20);
    const provider = new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true });
    const registryAddress = deployment.record.contracts.StateCommitRegistry.proxy;
    const operatorRegistry = new Contract(
      deployment.record.contracts.OperatorRegistry.proxy,
      OPERATOR_REGISTRY_ABI,
      provider,
    );
    // The honest operators hold 40 / 140 of the weight: nothing is committed before the attack.
    expect((await liveCommits(node.url, registryAddress)).length).to.equal(1);

    const log = await writeLog(node.url, registryAddress);
    const end = BigInt(log.length);
    const victim = log
      .map((w, i) => ({ ...w, i }))
      .reverse()
      .find((w) => w.valueHash !== ZeroHash)!;
    const forged = toUtf8Bytes("forged value");
    const entries = log.map((w, i) => {
      const tampered = i === victim.i;
      const valueHash = tampered ? keccak256(forged) : w.valueHash;
      const bytes = tampered ? forged : w.valueHash === ZeroHash ? new Uint8Array(0) : writer.values.get(w.valueHash)!;
      return { writeIndex: BigInt(i), namespace: 1, keyHash: w.keyHash as Hex, valueHash: valueHash as Hex, bytes };
    });
    const state = new Map<string, Uint8Array | null>();
    for (const e of entries) state.set(e.keyHash, e.valueHash === ZeroHash ? null : e.bytes);
    const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
    const wrongRoot = hexlify(
      tree.putValueSet(
        0,
        [...state].map(([k, v]) => [getBytes(k), v] as const),
      ).root,
    ) as Hex;
    const [rightRoot] = await recomputeRoots(log, [end], writer.values);
    expect(wrongRoot).to.not.equal(rightRoot);

    const daClient = new EigenDaProxyClient({ url: da.url });
    const blob = encodeDelta({
      header: {
        chainId: 31337n,
        registry: registryAddress.toLowerCase() as Hex,
        sequenceNo: 1n,
        prevRoot: EMPTY_TREE_ROOT,
        newRoot: wrongRoot,
        writeIndexStart: 0n,
        writeIndexEnd: end,
      },
      entries,
    });
    const daCert = hexlify(await daClient.put(blob));
    const commit: StateCommit = {
      sequenceNo: 1n,
      prevStateRoot: EMPTY_TREE_ROOT,
      stateRoot: wrongRoot,
      writeIndexEnd: end,
      referenceBlock: BigInt(await provider.getBlockNumber()) - 1n,
      daCommitment: keccak256(daCert) as Hex,
      operatorSetId: (await operatorRegistry.operatorSetId()) as bigint,
    };
    await submitColludingCommit(node.url, deployment, operatorRegistry, commit, daCert, COLLUDERS);

    // The challenger proves it; the registry rolls back; the colluders leave the set.
    await waitFor(() => challenger.log().includes("fraud proof accepted"), { timeoutMs: 60_000 });
    for (const i of COLLUDERS) {
      const info = (await operatorRegistry.operatorInfo(deployment.operators[i].address)) as { active: boolean };
      expect(info.active).to.equal(false);
    }
    const rolledBack = await provider.getLogs({
      address: registryAddress,
      fromBlock: 0,
      topics: [stateCommitRegistryInterface.getEvent("StateRolledBack")!.topicHash],
    });
    expect(rolledBack.length).to.equal(1);

    // The honest operators now hold all the weight and commit the write log's root.
    await waitFor(async () => (await liveCommits(node.url, registryAddress)).at(-1)!.writeIndexEnd >= end, {
      timeoutMs: 60_000,
    });
    const commits = await liveCommits(node.url, registryAddress);
    const roots = await recomputeRoots(
      await writeLog(node.url, registryAddress),
      commits.map((c) => c.writeIndexEnd),
      writer.values,
    );
    expect(commits.map((c) => c.stateRoot)).to.deep.equal(roots);
    expect(commits.map((c) => c.stateRoot)).to.not.include(wrongRoot);
    provider.destroy();
  });
});
