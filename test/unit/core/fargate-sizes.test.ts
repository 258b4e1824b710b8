import { describe, expect, it } from 'vitest';
import { FARGATE_CPU_TIERS, fargateSize } from '../../../functions/core/fargate-sizes';

describe('fargateSize', () => {
  it.each<[name: string, cpu: number, memoryMiB: number, cpuUnits: number, memory: number]>([
    ['the smallest size', 0.25, 512, 256, 512],
    ['memory below the tier minimum is raised to it', 0.25, 100, 256, 512],
    ['memory rounds up within the tier', 0.25, 600, 256, 1024],
    ['the top of the smallest tier', 0.25, 2048, 256, 2048],
    ['memory beyond 0.25 vCPU raises the CPU', 0.25, 2049, 512, 3072],
    ['0.5 vCPU, exact', 0.5, 4096, 512, 4096],
    ['memory beyond 0.5 vCPU raises it to 1', 0.5, 5000, 1024, 5120],
    ['a CPU between tiers rounds up', 0.3, 512, 512, 1024],
    ['1 vCPU raises memory to its minimum', 1, 1024, 1024, 2048],
    ['1 vCPU, 1024 MiB steps', 1, 6000, 1024, 6144],
    ['2 vCPU', 2, 4096, 2048, 4096],
    ['memory beyond 1 vCPU raises it to 2', 1, 9000, 2048, 9216],
    ['4 vCPU', 4, 30720, 4096, 30720],
    ['memory beyond 4 vCPU raises it to 8', 4, 30721, 8192, 32768],
    ['8 vCPU, 4096 MiB steps', 8, 20000, 8192, 20480],
    ['16 vCPU, 8192 MiB steps', 16, 40000, 16384, 40960],
    ['the largest size', 16, 122880, 16384, 122880],
    ['a large memory alone picks 16 vCPU', 0.25, 100000, 16384, 106496],
  ])('%s: %s vCPU, %s MiB → %s units, %s MiB', (_name, cpu, memoryMiB, cpuUnits, memory) => {
    expect(fargateSize(cpu, memoryMiB)).toEqual({ cpuUnits, memoryMiB: memory });
  });

  it.each<[name: string, cpu: number, memoryMiB: number, message: string]>([
    ['too much memory', 1, 122881, 'no Fargate size has 1 vCPU and 122881 MiB: the maximum is 16 vCPU'],
    [
      'too many vCPU',
      32,
      2048,
      'no Fargate size has 32 vCPU and 2048 MiB: the maximum is 16 vCPU with 122880 MiB',
    ],
    ['zero vCPU', 0, 512, 'positive vCPU and memory, got 0 vCPU and 512 MiB'],
    ['negative memory', 1, -1, 'got 1 vCPU and -1 MiB'],
    ['not a number', Number.NaN, 512, 'got NaN vCPU'],
  ])('%s', (_name, cpu, memoryMiB, message) => {
    expect(() => fargateSize(cpu, memoryMiB)).toThrow(message);
  });

  it('every tier lists its memory ascending in its documented range', () => {
    expect(
      FARGATE_CPU_TIERS.map((tier) => [
        tier.vcpu,
        tier.memoryMiB[0],
        tier.memoryMiB.at(-1),
        tier.memoryMiB.length,
      ]),
    ).toEqual([
      [0.25, 512, 2048, 3],
      [0.5, 1024, 4096, 4],
      [1, 2048, 8192, 7],
      [2, 4096, 16384, 13],
      [4, 8192, 30720, 23],
      [8, 16384, 61440, 12],
      [16, 32768, 122880, 12],
    ]);
  });
});
