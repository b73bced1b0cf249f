// Child process for the lock-file test: opens the embedded database in argv[2] and holds it.
import { connectPGlite } from "../../src/db/connect.js";

const database = await connectPGlite({ dataDir: process.argv[2]! });
process.stdout.write("opened\n");
process.on("SIGTERM", () => {
  void database.close().then(() => process.exit(0));
});
setInterval(() => {}, 1000);
