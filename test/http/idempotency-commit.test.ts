// Idempotency-Key answers committed WITH the work (idempotencyOf(request).commitWith(trx, …)): a
// request whose process fails after the work committed is replayed, never run again; a rolled-back
// transaction takes its stored answer with it; an owner whose key was taken over cannot commit.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Deps } from "../../src/app/deps.js";
import { beginIdempotent, commitIdempotentResponse, IN_FLIGHT_ABANDON_MS } from "../../src/app/idempotency/idempotency-keys.js";
import { AppError } from "../../src/core/shared/errors.js";
import { idempotencyOf, idempotent, renderResponse, sendResponse, type StoredResponse } from "../../src/http/plugins/idempotency.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
let deps: Deps;

before(async () => {
  h = await createHarness({
    tweak: (d) => {
      deps = d;
    },
    routes: (app) => {
      app.post(
        "/test/committed",
        {
          schema: { response: { 201: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } } } },
          ...idempotent(deps, () => "test:committed"),
        },
        async (request, reply) => {
          const body = request.body as { name: string; crashAfterCommit?: boolean; refuseInTransaction?: boolean };
          const idem = idempotencyOf(request);
          let res!: StoredResponse;
          await deps.database.db.transaction().execute(async (trx) => {
            const id = randomUUID();
            await trx.insertInto("merchants").values({ id, name: body.name }).execute();
            // `secret` is not in the response schema: rendering goes through the route's serializer.
            res = renderResponse(reply, 201, { id, name: body.name, secret: "not-rendered" }, { location: `/test/committed/${id}` });
            await idem?.commitWith(trx, res);
            if (body.refuseInTransaction) throw new AppError("conflict", { message: `refused after storing ${randomUUID()}` });
          });
          // The work and its answer are committed; whatever happens now, a retry gets that answer.
          if (body.crashAfterCommit) throw new Error("process lost after commit");
          return sendResponse(reply, res);
        },
      );
    },
  });
});
after(() => h.close());

const post = (key: string, body: unknown) =>
  h.app.inject({
    method: "POST",
    url: "/test/committed",
    headers: { "content-type": "application/json", "idempotency-key": key },
    payload: JSON.stringify(body),
  });
const count = async (name: string) =>
  Number((await h.deps.database.db.selectFrom("merchants").select((eb) => eb.fn.countAll().as("n")).where("name", "=", name).executeTakeFirstOrThrow()).n);

test("the answer committed with the work is what is sent and what a repeat replays, byte for byte", async () => {
  const a = await post("c-1", { name: "committed-1" });
  assert.equal(a.statusCode, 201);
  assert.equal(a.headers["content-type"], "application/json; charset=utf-8");
  assert.doesNotMatch(a.body, /secret/, "rendered through the response schema");
  const b = await post("c-1", { name: "committed-1" });
  assert.equal(b.statusCode, 201);
  assert.equal(b.headers["idempotent-replayed"], "true");
  assert.equal(b.body, a.body);
  assert.equal(b.headers.location, a.headers.location);
  assert.equal(await count("committed-1"), 1);
});

test("a failure after the work committed: the client's retry gets the committed answer, the work is not redone", async () => {
  const a = await post("c-2", { name: "committed-2", crashAfterCommit: true });
  assert.equal(a.statusCode, 500);
  const b = await post("c-2", { name: "committed-2", crashAfterCommit: true });
  assert.equal(b.statusCode, 201);
  assert.equal(b.headers["idempotent-replayed"], "true");
  assert.equal(b.json().name, "committed-2");
  assert.equal(await count("committed-2"), 1);
});

test("a transaction that rolls back takes its stored answer with it; the error answer is stored instead", async () => {
  const a = await post("c-3", { name: "committed-3", refuseInTransaction: true });
  assert.equal(a.statusCode, 409);
  const b = await post("c-3", { name: "committed-3", refuseInTransaction: true });
  assert.equal(b.statusCode, 409);
  assert.equal(b.body, a.body);
  assert.equal(await count("committed-3"), 0);
});

test("an owner whose key was taken over as abandoned cannot commit its answer (its work rolls back)", async () => {
  const claim = { scope: "test:takeover", key: "k", fingerprint: "f" };
  const first = await beginIdempotent(deps, claim);
  assert.equal(first.kind, "owner");
  h.clock.advance(IN_FLIGHT_ABANDON_MS + 1);
  const second = await beginIdempotent(deps, claim);
  assert.equal(second.kind, "owner", "the abandoned claim is taken over");
  const answer = { status: 201, headers: { "content-type": "application/json; charset=utf-8" }, body: "{}" };
  await assert.rejects(
    deps.database.db.transaction().execute(async (trx) => {
      await trx.insertInto("merchants").values({ id: randomUUID(), name: "stale-owner" }).execute();
      if (first.kind === "owner") await commitIdempotentResponse(trx, first.claim, answer);
    }),
    (err: unknown) => err instanceof AppError && err.code === "idempotency_key_in_flight",
  );
  assert.equal(await count("stale-owner"), 0);
  if (second.kind === "owner") await deps.database.db.transaction().execute((trx) => commitIdempotentResponse(trx, second.claim, answer));
  const replay = await beginIdempotent(deps, claim);
  assert.deepEqual(replay, { kind: "replay", response: answer });
});
