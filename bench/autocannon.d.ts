// autocannon ships no types; the benchmarks use a handful of its fields.
declare module "autocannon";
