import type { CommandRun } from "./command.js";
import { createOperatorKey } from "../app/keys/create-keys.js";
import { createStaffUser } from "../app/staff/staff-accounts.js";
import { isOperatorRole } from "../core/staff/roles.js";
import { runCliAction } from "../app/audit/cli-action.js";

const USAGE = "Usage: rampart operator create --email <e-mail> [--role admin|support|finance|viewer]\n       rampart operator create --name <name> [--role ...]   (an operator API key)\n";

/** `rampart operator` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  if (positionals[0] !== "create" || positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const email = typeof values.email === "string" ? values.email.trim() : "";
  const name = typeof values.name === "string" ? values.name.trim() : "";
  const role = typeof values.role === "string" ? values.role.trim() : "admin";
  if ((email === "") === (name === "")) {
    process.stderr.write(`Give --email (a person, for the console) or --name (an API key, for automation), not both.\n${USAGE}`);
    return 2;
  }
  if (!isOperatorRole(role)) {
    process.stderr.write("--role must be admin, support, finance or viewer\n");
    return 2;
  }
  return runtime.withDeps(async (deps) => {
    if (email !== "") {
      // The e-mail is personal data: the entry names the account by its id (the log is never rewritten).
      const user = await runCliAction(deps, { action: "operator.create", subject: "", details: { kind: "staff", role } }, () => createStaffUser(deps, { email, role }));
      process.stdout.write(`${user.password}\n`);
      process.stderr.write(
        `Staff account ${user.email} (${user.role}) created. The password above is shown only now: sign in at /dashboard ` +
          "and set up the authenticator app (TOTP) there.\n",
      );
      return 0;
    }
    const key = await runCliAction(deps, { action: "operator.create", subject: "", details: { kind: "key", name, role } }, () => createOperatorKey(deps, name, role));
    process.stdout.write(`${key}\n`);
    process.stderr.write(`This operator key (${role}) is shown only now: only its hash is stored.\n`);
    return 0;
  });
};
