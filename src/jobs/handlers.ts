// Imports every job handler module so each registers its kind before the worker runs. Each area
// adds one line per handler file under src/jobs/.
import "./card-challenge-timeout.js";
import "./card-status-sync.js";
import "./intent-jobs.js";
import "./trading-dispute-auto-resolve.js";
import "./trading-payin-expire.js";
// KYC decisions made inside jobs (the vendor check) must reach every area that listens for them.
import "../app/card/card-kyc.js";
