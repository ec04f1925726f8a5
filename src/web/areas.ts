import type { RegisterRoutes } from './context.js';
import { incidentRoutes } from './incidents.js';
import { insightsRoutes } from './insights.js';
import { oncallRoutes } from './oncall.js';

/** The dashboard's areas served on every bot (the playground is added by src/main.ts where it runs). */
export const webAreas: readonly RegisterRoutes[] = [incidentRoutes, oncallRoutes, insightsRoutes];
