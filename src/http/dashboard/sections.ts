// Every page of the operator dashboard, in menu order. Each area adds its section here.
import { auditSection } from "./audit-section.js";
import { disputesSection } from "./disputes-section.js";
import { kycSection } from "./kyc-section.js";
import { merchantsSection } from "./merchants-section.js";
import { moneySection } from "./money-section.js";
import { overviewSection } from "./overview-section.js";
import { paymentsSection } from "./payments-section.js";
import { payoutsSection } from "./payouts-section.js";
import { refundsSection } from "./refunds-section.js";
import { riskSection } from "./risk-section.js";
import type { DashboardSection } from "./section.js";
import { statementsSection } from "./statements-section.js";
import { tradersSection } from "./traders-section.js";
import { unmatchedSection } from "./unmatched-section.js";
import { webhooksSection } from "./webhooks-section.js";
import { withdrawalsSection } from "./withdrawals-section.js";

export const dashboardSections: DashboardSection[] = [
  overviewSection,
  paymentsSection,
  moneySection,
  kycSection,
  disputesSection,
  riskSection,
  statementsSection,
  unmatchedSection,
  payoutsSection,
  withdrawalsSection,
  refundsSection,
  webhooksSection,
  merchantsSection,
  tradersSection,
  auditSection,
];
