// Tables of migration 0027_a: the last result of each operator check.
interface OpsChecksTable {
  name: string;
  ok: boolean;
  summary: string;
  at: Date;
}

export interface OpsTables {
  ops_checks: OpsChecksTable;
}
