// Every page of the merchant portal, in menu order.
import { overviewSection } from "./overview-section.js";
import type { PortalSection } from "./portal-section.js";
import { usersSection } from "./users-section.js";

export const portalSections: PortalSection[] = [overviewSection, usersSection];
