import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import type { Permission } from "../../core/staff/roles.js";
import type { SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";

/** Context a section renders with: the session's CSRF token for its forms, the query, and what the role may do. */
export interface SectionContext {
  csrf: string;
  query: Record<string, string | undefined>;
  /** Whether the signed-in person's role holds `permission` (a section leaves out forms the role would be refused). */
  can(permission: Permission): boolean;
}

/**
 * Lets an action answer with a page of the console instead of a redirect (a form sent back with its
 * values and an error next to the field it names); `id` is the section whose page it is.
 */
export interface SectionPages {
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    render: (ctx: SectionContext) => Promise<{ title: string; body: SafeHtml; script?: SafeHtml | undefined }>,
  ): Promise<FastifyReply>;
}

/**
 * One page of the operator dashboard. `actions` registers its routes under /dashboard/<id>/...; the
 * dashboard checks the session, the CSRF token of every POST and the role before they run: a route's
 * own `config.permission`, else `act` for a POST (default "configure", admin only) and `view` for a
 * GET (default "read", every role).
 */
export interface DashboardSection {
  id: string;
  title: string;
  render(deps: Deps, ctx: SectionContext): Promise<SafeHtml>;
  /** The page of one item at /dashboard/<id>/<item>, with its own title; a section without items answers 404 there. */
  renderItem?(deps: Deps, ctx: SectionContext, item: string): Promise<{ title: string; body: SafeHtml }>;
  actions?(app: FastifyInstance, deps: Deps, pages: SectionPages): void;
  /** A script the section's page runs (inline: the console loads nothing from elsewhere). */
  script?: SafeHtml;
  view?: Permission;
  act?: Permission;
}

/**
 * The signed-in operator's id (actions record it as the actor of what they do), set as the request's
 * principal by the dashboard's session check before any section page or action runs.
 */
export const operatorOf = (request: FastifyRequest): string => principalOf(request, "operator").operatorId;

/**
 * Where a form asks to go back after its action: one payment's page (its actions are the sections'
 * own forms), else the section's page. Only that shape is followed, so a form cannot send the browser
 * anywhere else.
 */
export function returnPath(body: unknown, fallback: string): string {
  const back = (body as { back?: unknown } | undefined)?.back;
  return typeof back === "string" && /^\/dashboard\/payments\/[A-Za-z0-9_-]{1,64}$/.test(back) ? back : fallback;
}
