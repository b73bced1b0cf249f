import { type CommandRun, merchantIdOption } from "./command.js";
import { runCliAction } from "../app/audit/cli-action.js";
import { inviteMerchantUser } from "../app/merchant-users/merchant-users.js";

/** `rampart merchant invite` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  if (positionals[0] !== "invite" || positionals.length !== 1) {
    process.stderr.write("Usage: rampart merchant invite --merchant <merchant-id> --email <e-mail> --role owner|developer|finance|support\n");
    return 2;
  }
  const merchant = merchantIdOption(values);
  if (merchant === null) return 2;
  return runtime.withDeps(async (deps) => {
    // The e-mail stays out of the audit entry (the log is never rewritten); the role and the merchant are in it.
    const role = typeof values.role === "string" ? values.role : "owner";
    const invite = await runCliAction(deps, { action: "merchants.users", subject: merchant, details: { role } }, () =>
      inviteMerchantUser(deps, { merchantId: merchant, email: values.email, role, invitedBy: "cli" }),
    );
    process.stdout.write(`invitation for ${invite.email} (${invite.role}), valid until ${invite.expiresAt.toISOString()}:\n${invite.inviteUrl}\n`);
    return 0;
  });
};
