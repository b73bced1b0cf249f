// Imports every job handler module so each registers its kind before the worker runs. Each area
// adds one line per handler file under src/jobs/.
import "./trading-dispute-auto-resolve.js";
import "./trading-payin-expire.js";
