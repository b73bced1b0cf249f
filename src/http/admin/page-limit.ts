import { Type } from "typebox";

/**
 * The `limit` of an admin list: 1 to `max` as the README says. Anything else is 400 naming `limit`
 * (schema validation), never clamped, so a client learns its page is not the size it asked for.
 */
export const pageLimit = (max: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: max, description: `1 to ${max}, default 50` }));
