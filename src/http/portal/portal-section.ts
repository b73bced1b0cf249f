import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import type { MerchantPermission, MerchantRole } from "../../core/merchant-users/roles.js";
import { AppError } from "../../core/shared/errors.js";
import type { SafeHtml } from "../pages/html.js";

/** What a portal page renders with: the signed-in person, the merchant it acts for, the form token and the query. */
export interface PortalContext {
  /** The test twin's id in test mode, so every page shows test data only there and live data only in live mode. */
  merchantId: string;
  test: boolean;
  userId: string;
  role: MerchantRole;
  csrf: string;
  query: Record<string, string | undefined>;
  can(permission: MerchantPermission): boolean;
}

/** Lets an action answer with a portal page (a secret shown once, a form sent back with its error). */
export type SendPortalPage = (
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  status: number,
  render: (ctx: PortalContext) => Promise<{ title: string; body: SafeHtml }>,
) => Promise<FastifyReply>;

/**
 * One page of the merchant portal at /merchant/<id>. The portal checks the session, the CSRF token of
 * every POST and `permission` for every route under /merchant/<id>/... before a page or action runs;
 * every query and use case is scoped to the session's merchant, so another merchant's object is not found.
 */
export interface PortalSection {
  id: string;
  title: string;
  permission: MerchantPermission;
  /**
   * The one mode the section opens in; absent: both. "live" is refused in test mode (403 live_mode_only, as
   * the merchant API refuses a test key): people and money out. "test" is refused in live mode (403
   * test_mode_only, as the merchant API refuses a live key): test mode's own pages.
   */
  mode?: "live" | "test";
  render(deps: Deps, ctx: PortalContext): Promise<SafeHtml>;
  /** The page of one item at /merchant/<id>/<item>; a section without items answers 404 there. */
  renderItem?(deps: Deps, ctx: PortalContext, item: string): Promise<{ title: string; body: SafeHtml }>;
  actions?(app: FastifyInstance, deps: Deps, send: SendPortalPage): void;
  script?: SafeHtml;
}

/** Whether the section opens in this mode (a live-only one not in test mode, a test-only one not in live mode). */
export const openInMode = (s: Pick<PortalSection, "mode">, test: boolean): boolean => s.mode === undefined || s.mode === (test ? "test" : "live");

/**
 * A form field of a portal POST as typed, trimmed ("" when absent). A field sent twice (the form
 * parser's list) or not as text (a JSON body's true or number) is 400 validation_failed naming it
 * (found by fuzzing: read as empty, `allowedMethods` twice saved "every method", and `readOnly`
 * twice made a full key).
 */
export function formText(body: unknown, k: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[k];
  if (v === undefined) return "";
  if (typeof v !== "string") throw new AppError("validation_failed", { field: k, message: `${k} must be sent once, as text.` });
  return v.trim();
}
