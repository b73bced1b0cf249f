// SQL over every column that holds a secret-box ciphertext (`v1.<keyId>.…`), for re-encrypting them
// under a new server secret. A new encrypted column must be listed here, or a rotation would leave it
// readable only with the old secret (test/integration/secret-rotation.test.ts checks the list against
// the schema).
import { sql } from "kysely";
import type { Db } from "../schema.js";

export const ENCRYPTED_COLUMNS = {
  api_keys: { key: "id", column: "key_enc" },
  webhook_endpoints: { key: "id", column: "secret_enc" },
  webhook_endpoint_previous_secrets: { key: "endpoint_id", column: "secret_enc" },
  intent_store_settings: { key: "store_id", column: "ipn_secret_enc" },
  card_cards: { key: "id", column: "pan_enc" },
  operator_users: { key: "id", column: "totp_secret_enc" },
  merchant_users: { key: "id", column: "totp_secret_enc" },
} as const;

export type EncryptedTable = keyof typeof ENCRYPTED_COLUMNS;

export interface Ciphertext {
  key: string;
  enc: string;
}

function notUnder(table: EncryptedTable, keyId: string) {
  if (!/^[0-9a-f]+$/.test(keyId)) throw new Error(`bad key id ${keyId}`);
  const c = sql.ref(ENCRYPTED_COLUMNS[table].column);
  return sql`${c} is not null and ${c} not like ${`v1.${keyId}.%`}`;
}

/** How many ciphertexts in `table` name a key other than `keyId`. */
export async function countCiphertextsNotUnder(db: Db, table: EncryptedTable, keyId: string): Promise<number> {
  const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${notUnder(table, keyId)}`.execute(db);
  return Number(r.rows[0]!.n);
}

/** The next page (by primary key, after `after`) of ciphertexts naming a key other than `keyId`. */
export async function ciphertextsNotUnder(db: Db, table: EncryptedTable, keyId: string, after: string | null, limit: number): Promise<Ciphertext[]> {
  const { key, column } = ENCRYPTED_COLUMNS[table];
  const r = await sql<Ciphertext>`
    select ${sql.ref(key)}::text as key, ${sql.ref(column)} as enc from ${sql.table(table)}
    where ${notUnder(table, keyId)} ${after === null ? sql`` : sql`and ${sql.ref(key)} > ${after}`}
    order by ${sql.ref(key)} limit ${limit}`.execute(db);
  return r.rows;
}

/**
 * Replaces one ciphertext (and columns derived from the same secret, such as the card's PAN HMAC) if
 * it is still `old`: a value rewritten meanwhile (a rotated IPN secret) is left as written.
 */
export async function replaceCiphertext(db: Db, table: EncryptedTable, row: Ciphertext, enc: string, extra: Record<string, string> = {}): Promise<boolean> {
  const { key, column } = ENCRYPTED_COLUMNS[table];
  const sets = Object.entries({ [column]: enc, ...extra }).map(([c, v]) => sql`${sql.ref(c)} = ${v}`);
  const r = await sql`update ${sql.table(table)} set ${sql.join(sets)} where ${sql.ref(key)} = ${row.key} and ${sql.ref(column)} = ${row.enc}`.execute(db);
  return Number(r.numAffectedRows ?? 0n) === 1;
}
