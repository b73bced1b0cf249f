// The audit log beyond console and API actions (issue 18): staff sign-in, failed sign-in attempts
// (wrong password for an account, an unknown e-mail named only as anonymous, a wrong second-factor
// code) and sign-out each write an entry with the address; and the CLI commands that change state
// (`rampart operator create`, `rampart keys create`) write one naming the OS user, committed with the
// change (a failed command writes none). The commands run in-process with the test's deps (what they
// print goes to the test's output).
import assert from "node:assert/strict";
import os from "node:os";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { run as keysRun } from "../../src/cli/keys-command.js";
import { run as operatorRun } from "../../src/cli/operator-command.js";
import type { CliRuntime } from "../../src/cli/runtime.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createStaff, staffSession } from "../support/staff.js";
import { createMerchant } from "../../src/app/merchants/merchants.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(() => h.close());

type Entry = { actor: string; actor_name: string | null; action: string; subject: string; ip: string | null; details: Record<string, any> };
const entriesSince = async (n: number) =>
  (await sql<Entry>`SELECT actor, actor_name, action, subject, ip, details FROM audit_log ORDER BY id OFFSET ${n}`.execute(h.deps.database.db)).rows;
const count = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log`.execute(h.deps.database.db)).rows[0]!.n);
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const form = (url: string, body: Record<string, string>, cookie?: string) =>
  h.app.inject({ method: "POST", url, headers: { ...FORM, ...(cookie ? { cookie } : {}) }, payload: new URLSearchParams(body).toString(), remoteAddress: "198.51.100.7" });

test("sign-in, failed attempts and sign-out are in the log, with the address; an unknown e-mail is not", async () => {
  const staff = await createStaff(h, "support");
  const n = await count();
  assert.equal((await form("/dashboard/login", { email: staff.email, password: "wrong" })).statusCode, 401);
  assert.equal((await form("/dashboard/login", { email: "nobody@staff.example", password: "x" })).statusCode, 401);
  const login = await form("/dashboard/login", { email: staff.email, password: staff.password });
  const pending = String(login.headers["set-cookie"]).split(";")[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec((await h.app.inject({ method: "GET", url: "/dashboard/login/second-factor", headers: { cookie: pending } })).body)![1]!;
  assert.equal((await form("/dashboard/login/second-factor", { code: "12345", csrf }, pending)).statusCode, 400);
  const e = await entriesSince(n);
  assert.deepEqual(
    e.map((x) => [x.actor, x.action, x.details.step, x.ip]),
    [
      [`staff:${staff.id}`, "staff.sign-in.failed", "password", "198.51.100.7"],
      ["anonymous", "staff.sign-in.failed", "password", "198.51.100.7"],
      [`staff:${staff.id}`, "staff.sign-in.failed", "second-factor", "198.51.100.7"],
    ],
  );
  assert.doesNotMatch(JSON.stringify(e), /nobody@staff\.example/, "a typed e-mail that is no account is not kept");

  const s = await staffSession(h, staff);
  const signedIn = (await entriesSince(n)).at(-1)!;
  assert.deepEqual([signedIn.actor, signedIn.actor_name, signedIn.action, signedIn.details.role], [`staff:${staff.id}`, staff.email, "staff.sign-in", "support"]);
  const before = await count();
  const out = await h.app.inject({ method: "POST", url: "/dashboard/logout", headers: { ...FORM, cookie: s.cookie }, payload: new URLSearchParams({ csrf: s.csrf }).toString() });
  assert.equal(out.statusCode, 303);
  const last = await entriesSince(before);
  assert.deepEqual(last.map((x) => [x.actor, x.action]), [[`staff:${staff.id}`, "staff.sign-out"]]);
  // Signing out with a cookie already ended records nothing more.
  await h.app.inject({ method: "POST", url: "/dashboard/logout", headers: { ...FORM, cookie: s.cookie }, payload: "" });
  assert.equal(await count(), before + 1);
});

test("CLI: operator create and keys create write one entry naming the OS user; a failed command writes none", async () => {
  const runtime = { withDeps: (fn: (deps: typeof h.deps) => Promise<number>) => fn(h.deps) } as unknown as CliRuntime;
  const user = os.userInfo().username;
  const n = await count();
  assert.equal(await operatorRun({ email: "cli-made@staff.example", role: "finance" }, ["create"], runtime), 0);
  assert.equal(await operatorRun({ name: "nightly export", role: "viewer" }, ["create"], runtime), 0);
  const m = await createMerchant(h.deps, { name: "CLI Shop" });
  assert.equal(await keysRun({ merchant: m.merchantId, label: "pos" }, ["create"], runtime), 0);
  const e = await entriesSince(n);
  assert.deepEqual(
    e.map((x) => [x.actor, x.actor_name, x.action, x.subject, x.ip, x.details.via]),
    [
      [`cli:${user}`, user, "operator.create", "", null, "cli"],
      [`cli:${user}`, user, "operator.create", "", null, "cli"],
      [`cli:${user}`, user, "keys.create", m.merchantId, null, "cli"],
    ],
  );
  assert.deepEqual([e[0]!.details.kind, e[0]!.details.role, e[1]!.details.name, e[2]!.details.label], ["staff", "finance", "nightly export", "pos"]);
  assert.doesNotMatch(JSON.stringify(e), /cli-made@staff\.example/, "the new person's e-mail is not kept");

  const before = await count();
  // The same e-mail again is refused (conflict) and writes nothing.
  await assert.rejects(operatorRun({ email: "cli-made@staff.example" }, ["create"], runtime));
  assert.equal(await count(), before);
});
