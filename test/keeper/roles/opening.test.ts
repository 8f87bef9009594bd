import { expect } from "chai";
import { Contract, JsonRpcProvider, Network, Wallet, hexlify, keccak256, parseEther, randomBytes } from "ethers";

import {
  CHALLENGE_VERIFIER_ABI,
  EMPTY_TREE_ROOT,
  OPENING_STATUS,
  OPERATOR_REGISTRY_ABI,
  STATE_COMMIT_REGISTRY_ABI,
  type StateCommit,
} from "../../../keeper/chain";
import type { Hex } from "../../../keeper/common";
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
 * The key-opening game with real keeper processes. A colluding quorum signs a random root whose tree nobody has:
 * the challenger process cannot rebuild it, opens a key, nobody can answer, and once the resolve window is over it
 * settles: the commit is rolled back and the colluders slashed. Then an honest commit is challenged by an outsider
 * and an operator process answers it within the window; it is settled after its descent window and nobody is
 * slashed.
 */
describe("keeper roles: key-opening challenge", function () {
  this.timeout(600_000);
  let dir: string;
  let node: { url: string; proc: Proc };
  let deployment: DevnetDeployment;
  let da: RestartableDa;
  let processes: KeeperProcess[] = [];
  let challenger: KeeperProcess;
  let operator0: KeeperProcess;
  let writer: Writer;
  let provider: JsonRpcProvider;
  let verifier: Contract;
  const operatorTxKey = Wallet.createRandom();
  let failed = false;

  before(async function () {
    dir = tempDir("newton-keeper-opening-");
    node = await startHardhatNode(dir);
    deployment = await deployDevnet(node.url, dir, WEIGHTS, 15);
    provider = new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true });
    await provider.send("evm_setIntervalMining", [500]);
    await (await funded(4, node.url).sendTransaction({ to: operatorTxKey.address, value: parseEther("1") })).wait();
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
    const { procs, urls } = await makeOperatorProcesses(setup, [0, 1, 2, 3], { 0: operatorTxKey.privateKey });
    operator0 = procs[0];
    const { proc: aggregator } = await makeAggregatorProcess(setup, urls);
    challenger = await makeChallengerProcess(setup);
    processes = [...procs, aggregator, challenger];
    for (const p of processes) p.start();
    writer = new Writer(funded(3, node.url), deployment.record.contracts.StateCommitRegistry.proxy, da.url);
    // Start-up can be slow on a loaded machine: the test needs every role following the chain first.
    await waitFor(() => challenger.log().includes("challenger started"), { timeoutMs: 240_000 });
    for (const p of procs) await waitFor(() => p.log().includes("operator listening"), { timeoutMs: 240_000 });
    verifier = new Contract(deployment.record.contracts.ChallengeVerifier.proxy, CHALLENGE_VERIFIER_ABI, provider);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async function () {
    await Promise.all(processes.map((p) => p.stop()));
    await da?.stop();
    provider?.destroy();
    await node?.proc.stop();
    if (failed) console.log(`keeper logs kept in ${dir}`);
    else if (dir) removeDir(dir);
  });

  it("a random root whose tree is withheld: the challenger opens a key, nobody answers, the commit is rolled back and its signers slashed", async function () {
    await writer.write(6);
    const registryAddress = deployment.record.contracts.StateCommitRegistry.proxy;
    const operatorRegistry = new Contract(
      deployment.record.contracts.OperatorRegistry.proxy,
      OPERATOR_REGISTRY_ABI,
      provider,
    );
    expect((await liveCommits(node.url, registryAddress)).length).to.equal(1);
    const end = BigInt((await writeLog(node.url, registryAddress)).length);
    // A random root over the whole log, and a DA certificate for a blob that does not exist.
    const daCert = hexlify(randomBytes(48));
    const commit: StateCommit = {
      sequenceNo: 1n,
      prevStateRoot: EMPTY_TREE_ROOT,
      stateRoot: hexlify(randomBytes(32)) as Hex,
      writeIndexEnd: end,
      referenceBlock: BigInt(await provider.getBlockNumber()) - 1n,
      daCommitment: keccak256(daCert) as Hex,
      operatorSetId: (await operatorRegistry.operatorSetId()) as bigint,
    };
    await submitColludingCommit(node.url, deployment, operatorRegistry, commit, daCert, COLLUDERS);

    await waitFor(() => challenger.log().includes("opening challenge"), { timeoutMs: 60_000 });
    const [, resolveWindow] = (await verifier.openingConfig()) as [bigint, bigint];
    await provider.send("hardhat_mine", [`0x${(resolveWindow + 1n).toString(16)}`]);
    await waitFor(() => challenger.log().includes("unanswered opening settled"), { timeoutMs: 60_000 });
    expect(Number((await verifier.openingAt(1n)).status)).to.equal(OPENING_STATUS.Slashed);
    for (const i of COLLUDERS) {
      const info = (await operatorRegistry.operatorInfo(deployment.operators[i].address)) as { active: boolean };
      expect(info.active).to.equal(false);
    }
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
  });

  it("an honest commit challenged is answered by an operator process within the window; nobody is slashed", async function () {
    // Only the operator process may answer now (the challenger answers too, when it agrees).
    await challenger.stop();
    const registryAddress = deployment.record.contracts.StateCommitRegistry.proxy;
    const [latest] = await liveCommits(node.url, registryAddress).then((c) => c.slice(-1));
    const outsider = funded(4, node.url);
    const [bond] = (await verifier.openingConfig()) as [bigint, bigint];
    const key = (await writeLog(node.url, registryAddress))[0].keyHash;
    const open = await (
      (verifier.connect(outsider) as Contract).openKey(latest.sequenceNo, key, 0n, { value: bond }) as Promise<{
        wait(): Promise<unknown>;
      }>
    ).then((tx) => tx.wait());
    expect(open).to.not.equal(null);
    const id = (await verifier.openingCount()) as bigint;
    const opened = await verifier.openingAt(id);
    await waitFor(async () => Number((await verifier.openingAt(id)).status) === OPENING_STATUS.Resolved, {
      timeoutMs: 60_000,
    });
    await waitFor(() => operator0.log().includes(`resolveOpening(${id}) done`), { timeoutMs: 30_000 });
    const resolved = await provider.getLogs({
      address: await verifier.getAddress(),
      fromBlock: 0,
      topics: [verifier.interface.getEvent("OpeningResolved")!.topicHash, `0x${id.toString(16).padStart(64, "0")}`],
    });
    expect(resolved.length).to.equal(1);
    expect(resolved[0].blockNumber).to.be.at.most(Number(opened.deadline));
    const parsed = verifier.interface.parseLog(resolved[0])!;
    expect(parsed.args.resolver).to.equal(operatorTxKey.address);

    // After the descent window the operator settles it, which releases the commit's finality.
    const [, resolveWindow] = (await verifier.openingConfig()) as [bigint, bigint];
    await provider.send("hardhat_mine", [`0x${(resolveWindow + 1n).toString(16)}`]);
    await waitFor(async () => Number((await verifier.openingAt(id)).status) === OPENING_STATUS.Closed, {
      timeoutMs: 60_000,
    });
    const scr = new Contract(registryAddress, STATE_COMMIT_REGISTRY_ABI, provider);
    const [latestNow] = (await scr.latest()) as [bigint];
    expect(latestNow).to.be.at.least(latest.sequenceNo);
    const operatorRegistry = new Contract(
      deployment.record.contracts.OperatorRegistry.proxy,
      OPERATOR_REGISTRY_ABI,
      provider,
    );
    for (const op of deployment.operators.slice(0, 4)) {
      expect(((await operatorRegistry.operatorInfo(op.address)) as { active: boolean }).active).to.equal(true);
    }
  });
});
