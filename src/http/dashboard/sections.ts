// Every page of the operator dashboard, in menu order. Each area adds its section here.
import { overviewSection } from "./overview-section.js";
import type { DashboardSection } from "./section.js";

export const dashboardSections: DashboardSection[] = [overviewSection];
