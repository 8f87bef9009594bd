/**
 * Property tests of slashing against simple reference models:
 * - random attestations, two deployments with the same operator keys and random operator-set histories: an
 *   attestation that re-derives correctly is never slashable anywhere; a wrong one is slashable exactly once, and
 *   only on the deployment it was signed for;
 * - random operator-set histories with `slashSigners` of random older sets: the registry's active set, apk, weights
 *   and history views equal a plain model that slashes operator by operator.
 */
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";

import { aggregatePublicKeys, g1FromEip2537, g1ToEip2537 } from "../keeper/bls";
import {
  type PolicyAttestation,
  policyAttestationDigest,
  policyDataInstanceId,
  policyInstanceId as policyInstanceIdOf,
} from "../keeper/chain";
import type { Hex } from "../keeper/common";
import { deployNewtonStack } from "./helpers/challenge";
import { deployOperatorRegistry, makeOperators, registerOperator, signQuorum } from "./helpers/operators";
import { EMPTY_REF, artifactRef, policyDataBindings } from "./helpers/policy";

const WEIGHTS = [30n, 30n, 30n, 10n];
const SEED = 31;

async function attestationFixture() {
  const [owner, alice, challenger] = await ethers.getSigners();
  const here = await deployNewtonStack(owner, WEIGHTS, SEED);
  const there = await deployNewtonStack(owner, WEIGHTS, SEED); // same keys, same operatorSetId
  const { chainId } = await ethers.provider.getNetwork();
  const pdr = here.policyDataRegistry;
  const pr = here.policyRegistry;
  const wasm = artifactRef("wasm");
  await pdr.registerTemplate(wasm, EMPTY_REF, EMPTY_REF);
  const dataTemplateId = (await pdr.computeTemplateId(
    wasm.contentHash,
    EMPTY_REF.contentHash,
    EMPTY_REF.contentHash,
  )) as Hex;
  await pdr.deployInstance(dataTemplateId, alice.address, "0x7b7d", 40n);
  const dataInstanceId = policyDataInstanceId(chainId, alice.address, dataTemplateId, "0x7b7d", 40n);
  const rego = artifactRef("package p\nallow := true");
  await pr.registerTemplate(rego, EMPTY_REF, [dataTemplateId]);
  const templateId = (await pr.computeTemplateId(rego.contentHash, EMPTY_REF.contentHash, [dataTemplateId])) as Hex;
  await pr.deployInstance(templateId, alice.address, "0x7b7d", 60n, [dataInstanceId]);
  const instanceId = policyInstanceIdOf(chainId, alice.address, templateId, "0x7b7d", 60n, [dataInstanceId]);
  const deployedAt = (await pr.instances(instanceId)).registeredAt;
  const extra = makeOperators(1, SEED + 1)[0];
  return { here, there, chainId, instanceId, dataInstanceId, templateId, rego, deployedAt, extra, challenger };
}

type Ctx = Awaited<ReturnType<typeof attestationFixture>>;

/** One set change on a stack: a new member, a weight change or a member leaving (quorum stays reachable). */
type SetChange = "none" | "register" | "setWeight" | "deregister";
async function changeSet(ctx: Ctx, stack: Ctx["here"], change: SetChange): Promise<void> {
  const info = await stack.operatorRegistry.operatorInfo(ctx.extra.address);
  if (change === "register" && !info.active) await registerOperator(stack.operatorRegistry, ctx.extra, 5n);
  const member = await stack.operatorRegistry.operatorInfo(stack.operators[3].address);
  // A weight change applies to an active member only (after a "deregister" it would revert OperatorNotActive).
  if (change === "setWeight" && member.active) await stack.operatorRegistry.setWeight(stack.operators[3].address, 12n);
  if (change === "deregister" && member.active) {
    await stack.operatorRegistry.deregisterOperator(stack.operators[3].address);
  }
}

const MUTATIONS: ((a: PolicyAttestation) => PolicyAttestation)[] = [
  (a) => a, // honest
  (a) => ({ ...a, paramsHash: ethers.id("other params") as Hex }),
  (a) => ({ ...a, regoHash: ethers.id("other rego") as Hex }),
  (a) => ({ ...a, expirationBlock: a.expirationBlock + 1n }),
  (a) => ({ ...a, policyData: [{ ...a.policyData[0], wasmHash: ethers.id("other wasm") as Hex }] }),
  (a) => ({ ...a, policyData: [] }),
];

const change = fc.constantFrom<SetChange>("none", "register", "setWeight", "deregister");

describe("Slashing properties", function () {
  it("an attestation that re-derives is never slashable anywhere; a wrong one exactly once, only where it was signed", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          before: change,
          after: change,
          mutation: fc.nat({ max: MUTATIONS.length - 1 }),
          refBack: fc.nat({ max: 5 }),
          // Only the light operators may abstain, so that any history keeps the quorum reachable.
          nonSigner: fc.option(fc.constantFrom(3, 4), { nil: undefined }),
          wait: fc.nat({ max: 80 }),
          task: fc.nat(),
        }),
        async ({ before, after, mutation, refBack, nonSigner, wait, task }) => {
          const ctx = await loadFixture(attestationFixture);
          for (const stack of [ctx.here, ctx.there]) await changeSet(ctx, stack, before);
          await mine(6);
          const now = BigInt(await ethers.provider.getBlockNumber());
          const referenceBlock = now - 1n - BigInt(refBack);
          const honest: PolicyAttestation = {
            chainId: ctx.chainId,
            taskId: ethers.toBeHex(task, 32) as Hex,
            policyInstanceId: ctx.instanceId,
            policyTemplateId: ctx.templateId,
            regoHash: ctx.rego.contentHash,
            paramsSchemaHash: EMPTY_REF.contentHash,
            paramsHash: ethers.keccak256("0x7b7d") as Hex,
            referenceBlock,
            expirationBlock: referenceBlock + 40n, // min(60, 40)
            policyData: await policyDataBindings(ctx.here.policyDataRegistry, [ctx.dataInstanceId]),
            resultHash: ethers.id("allow") as Hex,
            operatorSetId: await ctx.here.operatorRegistry.operatorSetId(),
          };
          const a = MUTATIONS[mutation](honest);
          const domain = { chainId: ctx.chainId, verifyingContract: await ctx.here.challengeVerifier.getAddress() };
          const operators = [...ctx.here.operators, ctx.extra];
          const nonSigners = nonSigner === undefined ? [] : [operators[nonSigner].address];
          const proof = await signQuorum(
            ctx.here.operatorRegistry,
            operators,
            policyAttestationDigest(a, domain),
            nonSigners,
          );
          for (const stack of [ctx.here, ctx.there]) await changeSet(ctx, stack, after);
          await mine(wait); // still inside the window: expiration (≤ 40 after the reference) + 100
          const arg = { ...a, policyData: [...a.policyData] };

          const thereWeight = await ctx.there.operatorRegistry.totalWeight();
          const thereSet = await ctx.there.operatorRegistry.operatorSetId();
          await expect(ctx.there.challengeVerifier.challengeAttestation(arg, proof)).to.be.reverted;
          expect(await ctx.there.operatorRegistry.totalWeight()).to.equal(thereWeight);
          expect(await ctx.there.operatorRegistry.operatorSetId()).to.equal(thereSet);

          const verifier = ctx.here.challengeVerifier.connect(ctx.challenger);
          if (mutation === 0) {
            await expect(verifier.challengeAttestation(arg, proof)).to.be.revertedWithCustomError(
              verifier,
              "AttestationMatches",
            );
          } else {
            await expect(verifier.challengeAttestation(arg, proof)).to.emit(verifier, "AttestationChallenged");
            await expect(verifier.challengeAttestation(arg, proof)).to.be.revertedWithCustomError(
              verifier,
              "AttestationAlreadySlashed",
            );
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  describe("slashSigners against a reference model", function () {
    const POOL = 6;

    async function registryFixture() {
      const [owner, slasher] = await ethers.getSigners();
      const registry = await deployOperatorRegistry(owner, 5000, slasher.address);
      return { registry, slasher, pool: makeOperators(POOL, 55) };
    }

    type Action =
      | { kind: "register"; op: number; weight: bigint }
      | { kind: "deregister"; op: number }
      | { kind: "setWeight"; op: number; weight: bigint }
      | { kind: "slash"; setBack: number; nonSigners: bigint; bips: number };
    const action: fc.Arbitrary<Action> = fc.oneof(
      fc.record({
        kind: fc.constant("register" as const),
        op: fc.nat({ max: POOL - 1 }),
        weight: fc.bigInt(1n, 1000n),
      }),
      fc.record({ kind: fc.constant("deregister" as const), op: fc.nat({ max: POOL - 1 }) }),
      fc.record({
        kind: fc.constant("setWeight" as const),
        op: fc.nat({ max: POOL - 1 }),
        weight: fc.bigInt(1n, 1000n),
      }),
      fc.record({
        kind: fc.constant("slash" as const),
        setBack: fc.nat({ max: 6 }),
        nonSigners: fc.bigInt(0n, 63n),
        bips: fc.integer({ min: 1, max: 10_000 }),
      }),
    );

    interface ModelOp {
      active: boolean;
      index: number;
      weight: bigint;
      known: boolean;
    }
    interface ModelSet {
      members: Map<number, number>; // index → pool position
      weights: Map<number, bigint>; // pool position → weight in the set
    }

    it("matches the model's active set, apk, weights and history after every action", async function () {
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 10 }), async (actions) => {
          const { registry, slasher, pool } = await loadFixture(registryFixture);
          const ops: ModelOp[] = pool.map(() => ({ active: false, index: 0, weight: 0n, known: false }));
          const sets: ModelSet[] = [
            { members: new Map(), weights: new Map() },
            { members: new Map(), weights: new Map() },
          ];
          const snapshot = () => {
            const members = new Map<number, number>();
            const weights = new Map<number, bigint>();
            ops.forEach((o, i) => {
              if (o.active) {
                members.set(o.index, i);
                weights.set(i, o.weight);
              }
            });
            sets.push({ members, weights });
          };
          for (const act of actions) {
            const o = act.kind === "slash" ? undefined : ops[act.op];
            if (act.kind === "register" && !o!.active) {
              await registerOperator(registry, pool[act.op], act.weight);
              const used = new Set(ops.filter((x) => x.active).map((x) => x.index));
              let index = 0;
              while (used.has(index)) index++;
              Object.assign(o!, { active: true, index, weight: act.weight, known: true });
              snapshot();
            } else if (act.kind === "deregister" && o!.active) {
              await registry.deregisterOperator(pool[act.op].address);
              o!.active = false;
              snapshot();
            } else if (act.kind === "setWeight" && o!.active) {
              await registry.setWeight(pool[act.op].address, act.weight);
              o!.weight = act.weight;
              snapshot();
            } else if (act.kind === "slash") {
              const setId = BigInt(Math.max(1, sets.length - 1 - act.setBack));
              await registry.connect(slasher).slashSigners(setId, act.nonSigners, act.bips, ethers.ZeroHash);
              for (const [index, who] of sets[Number(setId)].members) {
                if ((act.nonSigners >> BigInt(index)) & 1n) continue;
                ops[who].weight -= (ops[who].weight * BigInt(act.bips)) / 10_000n;
                ops[who].active = false;
              }
              snapshot();
            }
          }
          expect(await registry.operatorSetId()).to.equal(BigInt(sets.length - 1));
          const active = ops.map((x, i) => [x, i] as const).filter(([x]) => x.active);
          expect(await registry.activeBitmap()).to.equal(active.reduce((b, [x]) => b | (1n << BigInt(x.index)), 0n));
          expect(await registry.totalWeight()).to.equal(active.reduce((s, [x]) => s + x.weight, 0n));
          const keys = active.map(([, i]) => g1FromEip2537(pool[i].keypair.pubkeyG1Eip2537));
          const apk = keys.length === 0 ? new Uint8Array(128) : g1ToEip2537(aggregatePublicKeys(keys));
          expect(await registry.apk()).to.equal(ethers.hexlify(apk));
          for (const [i, x] of ops.entries()) {
            if (!x.known) continue;
            const info = await registry.operatorInfo(pool[i].address);
            expect([info.active, info.weight]).to.deep.equal([x.active, x.weight]);
          }
          for (let setId = 1; setId < sets.length; setId++) {
            for (let i = 0; i < POOL; i++) {
              expect(await registry.weightAt(pool[i].address, setId)).to.equal(sets[setId].weights.get(i) ?? 0n);
            }
            for (let index = 0; index < POOL; index++) {
              const who = sets[setId].members.get(index);
              expect(await registry.operatorAt(index, setId)).to.equal(
                who === undefined ? ethers.ZeroAddress : pool[who].address,
              );
            }
            const signers = [...sets[setId].members].sort(([a], [b]) => a - b).map(([, who]) => pool[who].address);
            expect(await registry.signersOf(setId, 0n)).to.deep.equal(signers);
          }
        }),
        { numRuns: 25 },
      );
    });
  });
});
