// Every page of the merchant portal, in menu order.
import { balanceSection } from "./balance-section.js";
import { developerSection } from "./developer-section.js";
import { keysSection } from "./keys-section.js";
import { overviewSection } from "./overview-section.js";
import { paymentsSection } from "./payments-section.js";
import type { PortalSection } from "./portal-section.js";
import { settingsSection } from "./settings-section.js";
import { testMessagesSection } from "./test-messages-section.js";
import { usersSection } from "./users-section.js";
import { webhooksSection } from "./webhooks-section.js";
import { withdrawalsSection } from "./withdrawals-section.js";

export const portalSections: PortalSection[] = [
  overviewSection,
  paymentsSection,
  balanceSection,
  withdrawalsSection,
  keysSection,
  webhooksSection,
  settingsSection,
  developerSection,
  testMessagesSection,
  usersSection,
];
