// Imports every job handler module so each registers its kind before the worker runs. Each area
// adds one line per handler file under src/jobs/.
import "./intent-jobs.js";
import "./trading-dispute-auto-resolve.js";
import "./trading-payin-expire.js";
