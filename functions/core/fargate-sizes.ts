/**
 * Fargate's valid task-level CPU/memory combinations. A RunTask override outside this table is
 * rejected, so a task's requested size is rounded up to the next valid one.
 */

/** One Fargate CPU tier: its vCPU and the memory values (MiB) it accepts. */
export interface FargateCpuTier {
  vcpu: number;
  memoryMiB: readonly number[];
}

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

/** Fargate's CPU tiers, smallest first, each with its memory values ascending. */
export const FARGATE_CPU_TIERS: readonly FargateCpuTier[] = [
  { vcpu: 0.25, memoryMiB: [512, 1024, 2048] },
  { vcpu: 0.5, memoryMiB: steps(1024, 4096, 1024) },
  { vcpu: 1, memoryMiB: steps(2048, 8192, 1024) },
  { vcpu: 2, memoryMiB: steps(4096, 16384, 1024) },
  { vcpu: 4, memoryMiB: steps(8192, 30720, 1024) },
  { vcpu: 8, memoryMiB: steps(16384, 61440, 4096) },
  { vcpu: 16, memoryMiB: steps(32768, 122880, 8192) },
];

/** CPU units per vCPU (ECS counts CPU in 1/1024 of a vCPU). */
export const CPU_UNITS_PER_VCPU = 1024;

/** A valid Fargate task size, as RunTask's `overrides.cpu` (units) and `overrides.memory` (MiB). */
export interface FargateSize {
  cpuUnits: number;
  memoryMiB: number;
}

/**
 * The smallest valid Fargate size with at least `cpu` vCPU and `memoryMiB` MiB: the lowest CPU tier
 * that fits both (CPU is raised when the memory needs it), then the lowest memory of that tier.
 * Throws when the request is not a positive number or exceeds the largest size.
 */
export function fargateSize(cpu: number, memoryMiB: number): FargateSize {
  if (!(Number.isFinite(cpu) && cpu > 0) || !(Number.isFinite(memoryMiB) && memoryMiB > 0)) {
    throw new Error(`Fargate size needs a positive vCPU and memory, got ${cpu} vCPU and ${memoryMiB} MiB`);
  }
  for (const tier of FARGATE_CPU_TIERS) {
    if (tier.vcpu < cpu) continue;
    const memory = tier.memoryMiB.find((value) => value >= memoryMiB);
    if (memory !== undefined) return { cpuUnits: tier.vcpu * CPU_UNITS_PER_VCPU, memoryMiB: memory };
  }
  const largest = FARGATE_CPU_TIERS[FARGATE_CPU_TIERS.length - 1]!;
  throw new Error(
    `no Fargate size has ${cpu} vCPU and ${memoryMiB} MiB: the maximum is ${largest.vcpu} vCPU ` +
      `with ${largest.memoryMiB[largest.memoryMiB.length - 1]} MiB`,
  );
}
