import { z } from 'zod';

/** The `ops` config section: what `landfall doctor` expects of a host and how `probe` runs. */
export const opsConfigSchema = z.strictObject({
  /**
   * How often a long-running process hands freed heap pages back to the kernel (glibc
   * `malloc_trim`), ms; 0 turns it off. See src/ops/memory-return.ts.
   */
  memoryReturnMs: z.number().int().min(0).default(30_000),
  doctor: z
    .strictObject({
      /** The NIC whose interrupts must stay off the hot CPUs; '' picks the first non-loopback one. */
      nic: z.string().default(''),
      /** Clock offset (|system − reference|) above which the doctor warns, µs. */
      offsetWarnUs: z.number().positive().default(100),
      /** …and above which it fails, µs. */
      offsetFailUs: z.number().positive().default(1_000),
      /**
       * Reserved 2 MiB huge pages the host must hold (vm.nr_hugepages). No Landfall service maps
       * hugetlbfs (the agent uses transparent huge pages, madvise mode), so 0 unless something
       * co-located (a kernel-bypass NIC stack) needs a pool.
       */
      hugePages: z.number().int().min(0).default(0),
    })
    .prefault({}),
  probe: z
    .strictObject({
      /** The bpftrace binary (Debian: /usr/bin/bpftrace). */
      bpftrace: z.string().min(1).default('bpftrace'),
      /** Seconds per histogram interval (each is parsed and published on its own). */
      intervalS: z.number().int().min(1).max(3_600).default(5),
    })
    .prefault({}),
});

export type OpsConfig = z.infer<typeof opsConfigSchema>;
