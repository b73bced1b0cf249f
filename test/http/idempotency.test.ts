// Idempotency-Key through a real route: one object for 50 concurrent identical POSTs, identical
// responses, byte-for-byte replay of execution errors, 422 for a different body (a form body too; a
// JSON body compared by value, not bytes),
// 409 while in flight, scoping per tenant, expiry after 24 h.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Deps } from "../../src/app/deps.js";
import { AppError } from "../../src/core/shared/errors.js";
import { idempotent } from "../../src/http/plugins/idempotency.js";
import { purgeExpiredTask } from "../../src/jobs/purge-expired.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
let deps: Deps;
let gate: Promise<void> = Promise.resolve();
/** Called when a request that owns its key reaches the handler (before it waits on the gate). */
let entered: () => void = () => {};

before(async () => {
  h = await createHarness({
    tweak: (d) => {
      deps = d;
    },
    routes: (app) => {
      app.post(
        "/test/objects",
        { ...idempotent(deps, (request) => `test:${String(request.headers["x-tenant"])}`) },
        async (request, reply) => {
          const body = request.body as { name: string; fail?: boolean };
          entered();
          await gate;
          if (body.fail) throw new AppError("conflict", { message: `refused ${randomUUID()}` });
          const id = randomUUID();
          await deps.database.db.insertInto("merchants").values({ id, name: body.name }).execute();
          return reply.code(201).header("location", `/test/objects/${id}`).send({ id, name: body.name, at: randomUUID() });
        },
      );
    },
  });
});
after(() => h.close());

const post = (key: string | undefined, body: unknown, tenant = "t1") =>
  h.app.inject({
    method: "POST",
    url: "/test/objects",
    headers: { "content-type": "application/json", "x-tenant": tenant, ...(key ? { "idempotency-key": key } : {}) },
    payload: JSON.stringify(body),
  });
const count = async (name: string) =>
  Number((await h.deps.database.db.selectFrom("merchants").select((eb) => eb.fn.countAll().as("n")).where("name", "=", name).executeTakeFirstOrThrow()).n);

test("50 concurrent identical POSTs with one key create one object and get identical responses", async () => {
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  const owner = new Promise<void>((r) => (entered = r));
  const all = Promise.all(Array.from({ length: 50 }, () => post("key-50", { name: "fifty" })));
  await owner; // one request owns the key and is held: the others wait for it, or come after it
  open();
  const res = await all;
  gate = Promise.resolve();
  assert.equal(await count("fifty"), 1);
  const first = res[0]!;
  assert.equal(first.statusCode, 201);
  for (const r of res) {
    assert.equal(r.statusCode, 201);
    assert.equal(r.body, first.body);
    assert.equal(r.headers.location, first.headers.location);
    assert.equal(r.headers["content-type"], first.headers["content-type"]);
  }
  assert.equal(res.filter((r) => r.headers["idempotent-replayed"] === "true").length, 49);
  const different = await post("key-50", { name: "fifty", extra: 1 });
  assert.equal(different.statusCode, 422);
  assert.equal(different.json().error, "idempotency_key_reused");
  assert.equal(await count("fifty"), 1);
});

/** A POST of `payload` as sent, with the content type and the key given. */
const postRaw = (contentType: string, key: string) => (payload: string) =>
  h.app.inject({ method: "POST", url: "/test/objects", headers: { "content-type": contentType, "x-tenant": "t1", "idempotency-key": key }, payload });

test("a form-encoded body is fingerprinted too: the same form replays, another form with the key is 422 (found by fuzzing)", async () => {
  const form = postRaw("application/x-www-form-urlencoded", "key-form");
  const first = await form("name=formed");
  assert.equal(first.statusCode, 201, first.body);
  const again = await form("name=formed");
  assert.deepEqual([again.statusCode, again.headers["idempotent-replayed"], again.body], [201, "true", first.body]);
  const other = await form("name=another");
  assert.deepEqual([other.statusCode, other.json().error], [422, "idempotency_key_reused"]);
  assert.equal(await count("formed"), 1);
  assert.equal(await count("another"), 0);
});

test("a JSON retry is compared by value: re-serialised (other key order, whitespace) it replays; a changed value is 422", async () => {
  const raw = postRaw("application/json; charset=utf-8", "key-json");
  const first = await raw('{"name":"reordered","tags":{"a":1,"b":[1,2]}}');
  assert.equal(first.statusCode, 201, first.body);
  const again = await raw('{ "tags": { "b": [1, 2], "a": 1 },\n  "name": "reordered" }');
  assert.deepEqual([again.statusCode, again.headers["idempotent-replayed"], again.body], [201, "true", first.body]);
  for (const changed of ['{"name":"reordered","tags":{"a":1,"b":[2,1]}}', '{"name":"reordered","tags":{"a":"1","b":[1,2]}}', '{"name":"reordered"}']) {
    const r = await raw(changed);
    assert.deepEqual([r.statusCode, r.json().error], [422, "idempotency_key_reused"], changed);
  }
  assert.equal(await count("reordered"), 1);
});

test("execution errors are replayed byte for byte", async () => {
  const a = await post("key-err", { name: "x", fail: true });
  const b = await post("key-err", { name: "x", fail: true });
  assert.equal(a.statusCode, 409);
  assert.equal(b.statusCode, 409);
  assert.equal(b.body, a.body, "same message and same requestId: the stored answer");
});

test("without the header nothing is stored; keys are scoped per tenant", async () => {
  await post(undefined, { name: "nokey" });
  await post(undefined, { name: "nokey" });
  assert.equal(await count("nokey"), 2);
  await post("shared-key", { name: "scoped" }, "t1");
  await post("shared-key", { name: "scoped" }, "t2");
  assert.equal(await count("scoped"), 2);
});

test("a repeat while the first is still running gets 409 after the wait; a bad key gets 400", async () => {
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  const owner = new Promise<void>((r) => (entered = r));
  const first = post("slow-key", { name: "slow" });
  await owner; // the first owns the key and is held until the gate opens
  // The repeat waits RAMPART_IDEMPOTENCY_WAIT_MS (5 s by default) for the first, which cannot finish, then answers 409.
  const second = await post("slow-key", { name: "slow" });
  assert.equal(second.statusCode, 409);
  assert.equal(second.json().error, "idempotency_key_in_flight");
  open();
  gate = Promise.resolve();
  assert.equal((await first).statusCode, 201);
  assert.equal((await post("slow-key", { name: "slow" })).body, (await first).body);
  const bad = await post("x".repeat(300), { name: "bad" });
  assert.equal(bad.statusCode, 400);
});

test("keys expire after 24 h and the cleanup deletes them", async () => {
  const a = await post("expiring", { name: "exp" });
  h.clock.advance(24 * 3600_000);
  const b = await post("expiring", { name: "exp" });
  assert.notEqual(b.body, a.body, "a new execution after expiry");
  assert.equal(await count("exp"), 2);
  h.clock.advance(24 * 3600_000);
  assert.ok((await purgeExpiredTask.runOnce(h.deps)) >= 1);
  const left = await h.deps.database.db.selectFrom("idempotency_keys").select("key").where("key", "=", "expiring").execute();
  assert.equal(left.length, 0);
});
