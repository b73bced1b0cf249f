// /admin/v1/bank-statements: the operator uploads a bank statement (camt.053, camt.054, MT940 or CSV)
// and reads an import's report. Multipart fields: `file` (required), `account` (a requisite id or the
// account's IBAN/number, when the file names none or to name the requisite), `mapping` (a CSV column
// mapping as JSON, saved for the account), `skipRejected` ("true": import the readable entries of a
// file with unreadable lines). /admin/v1/refund-exports: refunds out, the pending refund orders as a
// pain.001 file for the bank. Mounted inside the operator-authenticated admin scope.
import multipart from "@fastify/multipart";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { importBankStatement, statementImportReport } from "../../app/bank-statements/import-statement.js";
import { exportRefunds, refundExportFile } from "../../app/bank-statements/refund-export.js";
import { LINE_OUTCOMES } from "../../app/bank-statements/statement-report.js";
import type { Deps } from "../../app/deps.js";
import { STATEMENT_FORMATS } from "../../core/bank-statements/statement-entry.js";
import { BANK_TRANSFER_OUTCOMES } from "../../core/bank-transfers/outcome.js";
import { AppError } from "../../core/shared/errors.js";
import { type ErrorRenderer, installErrorHandling, renderDefaultError } from "../errors/error-handling.js";
import { fileIn, readMultipartForm } from "../plugins/multipart-form.js";

const TAGS = ["admin: bank statements"];
const security = [{ operatorKey: [] }];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/** A CSV mapping is a small JSON object; the file itself is bounded by RAMPART_STATEMENT_MAX_BYTES. */
const MAX_FIELD_BYTES = 16 * 1024;

const ReportLine = Type.Object({
  line: Type.Integer({ description: "the entry's number (XML) or line number (MT940, CSV) in the file" }),
  outcome: Type.Enum(LINE_OUTCOMES),
  bankRef: Nullable(Type.String()),
  bookingDate: Nullable(Type.String()),
  amount: Nullable(Type.String({ description: "decimal text, e.g. 150.00" })),
  currency: Nullable(Type.String()),
  direction: Nullable(Type.Union([Type.Literal("credit"), Type.Literal("debit")])),
  reference: Nullable(Type.String()),
  payerName: Nullable(Type.String()),
  payerIban: Nullable(Type.String()),
  endToEndId: Nullable(Type.String()),
  transferId: Nullable(Type.String()),
  transferOutcome: Nullable(Type.Enum(BANK_TRANSFER_OUTCOMES)),
  intentId: Nullable(Type.String()),
  tradingPayinId: Nullable(Type.String()),
  refundOrderId: Nullable(Type.String({ description: "the refund order a debit closed" })),
  reason: Nullable(Type.String()),
});

const Report = Type.Object({
  importId: Type.String(),
  account: Type.String(),
  requisiteId: Nullable(Type.String()),
  format: Type.Enum(STATEMENT_FORMATS),
  fileName: Nullable(Type.String()),
  fileSha256: Type.String(),
  source: Type.String(),
  entriesRead: Type.Integer(),
  matched: Type.Integer(),
  duplicates: Type.Integer(),
  unmatched: Type.Integer(),
  ignored: Type.Integer(),
  rejected: Type.Integer(),
  createdAt: Type.String(),
  lines: Type.Array(ReportLine),
});

/** Rampart's envelope, plus the rejected lines of a statement refused for them. */
const renderStatementError: ErrorRenderer = (e, requestId) => ({
  ...(renderDefaultError(e, requestId) as Record<string, unknown>),
  ...(Array.isArray(e.details?.rejected) ? { rejected: e.details.rejected } : {}),
});

async function readUpload(deps: Deps, request: FastifyRequest) {
  try {
    return await readMultipartForm(request, "Send the statement as multipart/form-data with the file in field `file`");
  } catch (err) {
    if ((err as { statusCode?: unknown }).statusCode === 413) {
      throw new AppError("statement_too_large", { message: `The statement file is over the limit of ${deps.config.statementMaxBytes} bytes (RAMPART_STATEMENT_MAX_BYTES).` });
    }
    throw err;
  }
}

function parseMapping(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("validation_failed", { field: "mapping", message: "mapping must be a JSON object" });
  }
}

export async function bankStatementAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderStatementError);
  await app.register(multipart, { limits: { fileSize: deps.config.statementMaxBytes, files: 1, fields: 3, fieldSize: MAX_FIELD_BYTES, parts: 4 } });

  app.post(
    "/bank-statements",
    {
      schema: {
        tags: TAGS,
        summary: "Import a bank statement (multipart: file, account?, mapping?, skipRejected?); answers the import's report",
        description:
          "camt.053, camt.054, MT940, or CSV with a column mapping (docs/bank-statements.md). Every booked credit goes through the one inbound bank-transfer path; " +
          "a file imported twice changes nothing the second time. A file with unreadable lines is refused (422 statement_rejected_lines, listed in `rejected`) unless skipRejected is true.",
        security,
        consumes: ["multipart/form-data"],
        response: { 201: Report },
      },
    },
    async (request, reply) => {
      const form = await readUpload(deps, request);
      const file = fileIn(form, "file");
      if (!file) throw new AppError("validation_failed", { field: "file", message: "Send the statement file in the multipart field `file`" });
      const skip = form.fields.skipRejected;
      if (skip !== undefined && skip !== "true" && skip !== "false") throw new AppError("validation_failed", { field: "skipRejected", message: "skipRejected must be true or false" });
      const account = form.fields.account?.trim();
      if (account !== undefined && (account.length === 0 || account.length > 64)) throw new AppError("validation_failed", { field: "account", message: "account must be 1 to 64 characters" });
      const report = await importBankStatement(deps, {
        file,
        fileName: null,
        account: account ?? null,
        csvMapping: parseMapping(form.fields.mapping),
        skipRejected: skip === "true",
        source: "api",
      });
      return reply.code(201).send(report);
    },
  );

  app.get(
    "/bank-statements/:id",
    {
      schema: {
        tags: TAGS,
        summary: "One statement import's report",
        security,
        params: Type.Object({ id: Type.String({ pattern: "^bsi_[0-9A-Za-z_]{1,60}$" }) }),
        response: { 200: Report },
      },
    },
    async (request) => statementImportReport(deps, request.params.id),
  );
  const RefundOrder = Type.Object({
    id: Type.String({ description: "also the pain.001 EndToEndId the bank echoes in its statement" }),
    bankTransferId: Type.String(),
    amount: Type.String(),
    currency: Type.String(),
    creditorName: Nullable(Type.String()),
    creditorIban: Nullable(Type.String()),
    status: Type.String(),
    reason: Nullable(Type.String()),
  });

  app.post(
    "/refund-exports",
    {
      schema: {
        tags: TAGS,
        summary: "Export the pending fiat refunds as one pain.001.001.03 credit-transfer file for the bank",
        description:
          "Every transfer Rampart books back to its payer becomes a refund order to the payer's IBAN from the statement; pending orders are exported once. " +
          "An order closes when a later statement shows its debit (EndToEndId = order id). Orders without a known IBAN are listed in `waiting` with the reason.",
        security,
        response: {
          201: Type.Object({ exportId: Nullable(Type.String()), exported: Type.Array(RefundOrder), waiting: Type.Array(RefundOrder), pain001: Nullable(Type.String()) }),
        },
      },
    },
    async (_request, reply) => reply.code(201).send(await exportRefunds(deps)),
  );

  app.get(
    "/refund-exports/:id",
    {
      schema: {
        tags: TAGS,
        summary: "A refund export's pain.001 file, as exported",
        security,
        params: Type.Object({ id: Type.String({ pattern: "^rfx_[0-9A-Za-z_]{1,60}$" }) }),
        produces: ["application/xml"],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) => reply.type("application/xml; charset=utf-8").send(await refundExportFile(deps, request.params.id)),
  );
}
