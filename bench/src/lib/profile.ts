/**
 * Node flags for server processes: with BENCH_CPU_PROF=<dir> every server a
 * scenario starts writes a CPU profile there (`node --cpu-prof`) when it exits.
 */
export function serverNodeArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
