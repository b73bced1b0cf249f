// vault.ist calls the public clients make that Rampart answers without implementing: KYC steps run by
// vault.ist's vendors (Ondato finish and document upload, SumSub, KYC_3) and wallet creation. Each
// answers 400 not_supported in the dialect's envelope, naming the call and what to use instead, so a
// client shows a reason rather than a 404 route_not_found. The bearer check runs first; the body is
// never read (an upload is refused before it is parsed).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { AppError } from "../../../core/shared/errors.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { requireCustomer } from "./card-auth.js";
import { renderCardError } from "./envelope.js";

const TAGS = ["card: customers"];
const security = [{ bearer: [] }];

const KYC_PAGE = "KYC_1 runs on Rampart's hosted KYC page: POST /v4/kyc/start gives its url, and GET /v2/customer/kyc/data shows the decision.";

const UNSUPPORTED: { url: string; what: string; instead: string }[] = [
  { url: "/v4/kyc/ondato/finished", what: "Finishing an Ondato identification", instead: KYC_PAGE },
  { url: "/v1/kyc/upload/document", what: "Uploading KYC documents through the API", instead: KYC_PAGE },
  { url: "/v5/kyc/start", what: "SumSub KYC", instead: KYC_PAGE },
  { url: "/v2/customer/kyc3/start", what: "KYC level 3", instead: "KYC_2 and KYC_3 are not reachable through the API." },
  { url: "/v2/wallets", what: "Creating wallets", instead: "A customer has one custodial wallet per crypto the card method offers; GET /v2/wallets lists them." },
];

export async function unsupportedRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  installErrorHandling(scope, renderCardError);
  requireCustomer(scope, deps);
  for (const u of UNSUPPORTED) {
    const refuse = async () => {
      throw new AppError("not_supported", { message: `${u.what} is not supported by Rampart. ${u.instead}` });
    };
    // Refused in onRequest, before any body is parsed; the handler is the same refusal.
    scope.post(u.url, { schema: { tags: TAGS, summary: `Not supported: answers 400 NOT_SUPPORTED (${u.what.toLowerCase()})`, security }, onRequest: refuse }, refuse);
  }
}
