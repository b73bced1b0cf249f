// The CLI's commands: what --help shows for each, and the module that runs it, loaded only when the
// command runs (a module-level import here would load the whole gateway for `--help`).
import type { Command } from "./command.js";

export const commands: Command[] = [
  {
    name: "start",
    summary:
      "Run the gateway: HTTP server and background worker in one process (or one role with --role). " +
      "Applies migrations; in sandbox mode seeds the sandbox data and prints its credentials.",
    usage: "rampart start [--role all|api|worker]",
    options: { role: { type: "string" } },
    help: [
      "  --role       all (default): server and worker; api: HTTP only; worker: background jobs only",
      "",
      "Environment: DATABASE_URL (absent: embedded database in RAMPART_DATA_DIR, default ./.rampart),",
      "PORT (8080), RAMPART_MODE (sandbox|live), RAMPART_SECRET_KEY (required in live mode), LOG_LEVEL.",
    ],
    load: () => import("./start-command.js").then((m) => m.run),
  },
  {
    name: "migrate",
    summary:
      "Apply pending database migrations and exit. `rampart start` also applies them. A new database records " +
      "which secret it belongs to; every later command and process must use the same one.",
    usage: "rampart migrate [--dry-run]",
    options: { "dry-run": { type: "boolean" } },
    help: [
      "  --dry-run    print the migrations that would apply, in order, with their SQL, and change nothing",
      "",
      "Migrations are expand/contract: the previous release keeps working while the new one rolls out.",
      "A migration starting with `-- rampart:no-transaction` runs statement by statement (CREATE INDEX CONCURRENTLY).",
      "One process migrates at a time; another that starts meanwhile waits for it, then finds nothing to apply.",
    ],
    load: () => import("./migrate-command.js").then((m) => m.run),
  },
  {
    name: "seed",
    summary:
      "Insert the sandbox data (merchant, store, keys, pairs, traders). Safe to run again. " +
      "Refused on a database that has run in live mode (marked by its first live-mode command).",
    usage: "rampart seed --sandbox",
    options: { sandbox: { type: "boolean" } },
    help: ["  --sandbox    seed the sandbox data set (required: it is the only data set)"],
    load: () => import("./seed-command.js").then((m) => m.run),
  },
  {
    name: "keys",
    summary: "Create a merchant API key. The key is printed once; only its hash is stored.",
    usage: "rampart keys create --merchant <merchant-id> [--label <text>]",
    options: { merchant: { type: "string" }, label: { type: "string" } },
    help: ["  --merchant   the merchant's uuid (required)", "  --label      a note to recognise the key by"],
    allowPositionals: true,
    load: () => import("./keys-command.js").then((m) => m.run),
  },
  {
    name: "merchant",
    summary:
      "Invite a person to a merchant's portal (/merchant) with a role. The one-time invitation link (valid 7 days) is printed once; " +
      "following it sets the password, then the authenticator.",
    usage: "rampart merchant invite --merchant <merchant-id> --email <e-mail> [--role owner|developer|finance|support]",
    options: { merchant: { type: "string" }, email: { type: "string" }, role: { type: "string" } },
    help: [
      "  --merchant   the merchant's uuid (required)",
      "  --email      the person's e-mail (required; one account per e-mail)",
      "  --role       owner (default), developer, finance or support (docs/merchant-portal.md#roles)",
    ],
    allowPositionals: true,
    load: () => import("./merchant-command.js").then((m) => m.run),
  },
  {
    name: "operator",
    summary:
      "Create a staff account for the operator console (--email; the first admin comes from here) or an operator API key " +
      "for automation (--name; x-operator-key on /admin/v1), each with a role, in any mode. The password or key is printed once.",
    usage: "rampart operator create (--email <e-mail> | --name <name>) [--role admin|support|finance|viewer]",
    options: { name: { type: "string" }, email: { type: "string" }, role: { type: "string" } },
    help: [
      "  --email      a person: a staff account signing in at /dashboard with this e-mail, a generated password and TOTP",
      "  --name       an API key: who or what it is for, 1 to 200 printable characters",
      "  --role       admin (default), support, finance or viewer (docs/console.md#roles)",
    ],
    allowPositionals: true,
    load: () => import("./operator-command.js").then((m) => m.run),
  },
  {
    name: "ledger",
    summary:
      "Check the ledger: every transfer balances per asset, every balance equals the sum of its entries, every asset sums to zero. Exits 1 on any drift.",
    usage: "rampart ledger verify",
    options: {},
    help: ["  verify       run the checks and print a summary"],
    allowPositionals: true,
    load: () => import("./ledger-command.js").then((m) => m.run),
  },
  {
    name: "audit",
    summary:
      "Check the audit log's hash chain: every entry's hash matches its content and links to the entry before it, and the chain head names the last one. " +
      "Prints the first broken entry and exits 1 if any was edited or removed; exits 0 when intact.",
    usage: "rampart audit verify",
    options: {},
    help: [
      "  verify       walk the chain from its first entry and print a summary with the head's seq and hash",
      "",
      "Exit codes: 0 intact, 1 broken (the first broken entry is printed on stderr), 2 usage error.",
      "Note the printed head hash somewhere outside the database: a chain rewritten from the start is only caught against it.",
    ],
    allowPositionals: true,
    load: () => import("./audit-command.js").then((m) => m.run),
  },
  {
    name: "backup",
    summary:
      "Back up the embedded database (a consistent snapshot, also while the server runs) and the data dir's stored files " +
      "into one file encrypted with the server secret. PostgreSQL: use pg_dump or a base backup (docs/operations.md).",
    usage: "rampart backup <file> [--force]",
    options: { force: { type: "boolean" } },
    help: [
      "  <file>       the backup to write; it appears only once complete",
      "  --force      replace <file> if it exists",
      "",
      "A running server (same RAMPART_DATA_DIR) takes the snapshot; otherwise the command opens the data dir itself.",
      "The secret key is never in the backup: the backup is encrypted with it (RAMPART_SECRET_KEY, or the sandbox's",
      "generated <data dir>/secret.key), so keep the secret safe separately: without it the backup cannot be restored.",
    ],
    allowPositionals: true,
    load: () => import("./backup-command.js").then((m) => m.runBackup),
  },
  {
    name: "restore",
    summary:
      "Restore a `rampart backup` file into the embedded data dir (RAMPART_DATA_DIR), all or nothing: the file is checked, " +
      "restored into a temp dir, then renamed into place. The server must be stopped.",
    usage: "rampart restore <file> [--force]",
    options: { force: { type: "boolean" } },
    help: [
      "  <file>       a file written by `rampart backup`",
      "  --force      replace a data dir that is not empty (by default only an empty or missing one is restored into)",
      "",
      "Needs the secret the backup was made with in RAMPART_SECRET_KEY (or the data dir's generated secret.key).",
      "A truncated, altered or foreign file is refused before anything changes. Then run `rampart ledger verify`.",
    ],
    allowPositionals: true,
    load: () => import("./backup-command.js").then((m) => m.runRestore),
  },
  {
    name: "webhooks",
    summary: "List webhook messages or redeliver them. Redelivery keeps the event id.",
    usage: [
      "rampart webhooks list [--merchant <id>] [--endpoint <id>] [--status pending|delivered|failed] [--limit n] [--cursor c]",
      "       rampart webhooks redeliver (--event <event-id> | --endpoint <endpoint-id>)",
    ].join("\n"),
    options: {
      merchant: { type: "string" },
      endpoint: { type: "string" },
      status: { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
      event: { type: "string" },
  },
  help: [
    "  --merchant   list: only this merchant's messages (uuid)",
    "  --endpoint   list: only this endpoint; redeliver: every failed message of it (re-enables it)",
    "  --status     list: pending, delivered or failed",
    "  --limit      list: page size, 1-100 (default 50)",
    "  --cursor     list: the cursor printed at the end of the previous page",
    "  --event      redeliver: one message by event id",
  ],
  allowPositionals: true,
    load: () => import("./webhooks-command.js").then((m) => m.run),
  },
  {
    name: "bank",
    summary:
      "Import a bank statement (camt.053, camt.054, MT940, or CSV with a column mapping). Every booked credit goes through the one " +
      "inbound bank-transfer path; importing a file twice changes nothing. Prints the import's report.",
    usage: ["rampart bank import <file> [--account <id>] [--mapping <file.json>] [--skip-rejected]", "       rampart bank export-refunds [--out <file>]"].join("\n"),
    options: { account: { type: "string" }, mapping: { type: "string" }, "skip-rejected": { type: "boolean" }, out: { type: "string" } },
    help: [
      "  import           read a statement and receive its credits; debits close exported refund orders",
      "  export-refunds   write the pending fiat refunds as a pain.001 file for the bank (default pain001-<export id>.xml)",
      "  --account        a trader requisite's id, or the account's IBAN/number (default: the account the file names; required for CSV)",
      "  --mapping        a CSV column mapping (JSON file), saved for the account and used by its later imports",
      "  --skip-rejected  import the readable entries of a file that has unreadable lines (listed in the report)",
      "  --out            export-refunds: the file to write",
      "",
      "A file over RAMPART_STATEMENT_MAX_BYTES (default 10 MiB) is refused. See docs/bank-statements.md.",
    ],
    allowPositionals: true,
    load: () => import("./bank-command.js").then((m) => m.run),
  },
  {
    name: "risk",
    summary:
      "Run the sandbox risk scenario: a fresh merchant gets a set of risk rules, then regular payers and attackers (bursts, shared devices, " +
      "disposable e-mail, first deposits over the cap, another country's IP, a blocked network) create pay-ins and intents through the real " +
      "use cases. Prints what was allowed, held for review or blocked, and which rules fired with the values they saw. Sandbox mode only.",
    usage: "rampart risk simulate [--payers n] [--seed n]",
    options: { payers: { type: "string" }, seed: { type: "string" } },
    help: [
      "  simulate     create the merchant, its rules and the traffic, printing progress, then the report",
      "  --payers     regular payers, 1 to 2000 (default 40); one attacker of each kind per 20 of them, at least one",
      "  --seed       the traffic's random seed (default 1): the same seed sends the same payments",
      "",
      "Each run makes a merchant of its own; the trader and requisites it pays through are made once. See docs/risk.md.",
    ],
    allowPositionals: true,
    load: () => import("./risk-command.js").then((m) => m.run),
  },
  {
    name: "customer",
    summary:
      "Erase a person's personal data on request (right to erasure): KYC fields and document files, e-mail, phone, card holder " +
      "and address, payer info, payer IPs, payer names and IBANs of their bank transfers, in one transaction. Ledger and payment " +
      "records stay with the personal fields replaced by [erased]; an audit entry records who erased what. Erasing again is safe.",
    usage: [
      "rampart customer erase --store <store-id> --email <e-mail>",
      "       rampart customer erase --card-customer <uuid|customer number>",
      "       rampart customer erase --merchant <merchant-uuid> --payer-user-id <userId>",
    ].join("\n"),
    options: {
      store: { type: "string" },
      email: { type: "string" },
      "card-customer": { type: "string" },
      merchant: { type: "string" },
      "payer-user-id": { type: "string" },
      by: { type: "string" },
    },
    help: [
      "  --store --email                a payer of payment intents (and their KYC) in one store, by e-mail",
      "  --card-customer                a card-dialect customer, by uuid or by the customerId number the clients show",
      "  --merchant --payer-user-id     a trading payer, by the merchant's user id sent as extra.payerInfo.userId",
      "  --by                           who asks, for the audit log (default: the OS user)",
      "",
      "Exit 0: erased (or already erased, said so); 1: nobody of that description is stored. See docs/operations.md.",
    ],
    allowPositionals: true,
    load: () => import("./customer-command.js").then((m) => m.run),
  },
  {
    name: "secret",
    summary:
      "Rotate the server secret. Re-encrypt every stored secret (API key copies, webhook and IPN secrets, card numbers) " +
      "under RAMPART_SECRET_KEY, reading the old values with RAMPART_PREVIOUS_SECRET_KEY, then mark the database as using the new key.",
    usage: "rampart secret rotate",
    options: {},
    help: [
      "  rotate       re-encrypt in batches, printing progress; safe to run again",
      "",
      "Steps: restart every process with RAMPART_SECRET_KEY=<new> and RAMPART_PREVIOUS_SECRET_KEY=<old>,",
      "run `rampart secret rotate` once, then drop RAMPART_PREVIOUS_SECRET_KEY and restart again.",
      "Sessions, card access tokens and SMS codes are signed with the secret: they end when the key changes.",
    ],
    allowPositionals: true,
    load: () => import("./secret-command.js").then((m) => m.run),
  },
];
