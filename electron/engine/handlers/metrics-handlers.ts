/**
 * Scraping Prometheus metrics (placeholder: helper 3 replaces it).
 */
import { LabError } from '../errors';
import type { LabHandlers } from '../lab-handlers';

export function createMetricsHandlers(): Pick<LabHandlers, 'scrapeMetrics'> {
  return { scrapeMetrics: () => Promise.reject(new LabError('UNSUPPORTED', 'metrics are not available in this build yet')) };
}
