import { html } from './escape-html.js';
import { renderAccounts, renderDormant, renderPrivileged } from './render-access.js';
import { renderApps } from './render-apps.js';
import { renderChanges } from './render-changes.js';
import { renderFreshness, renderHeader, renderSummary } from './render-overview.js';
import { DEFAULT_ROW_LIMIT } from './render-parts.js';
import { REPORT_CSS } from './report-css.js';
import type { ReportFindings } from './report-findings.js';

/**
 * The report as one HTML file that works offline and alone: inline CSS, charts as inline SVG, no
 * script, font, image or link to fetch. A Content-Security-Policy forbids loading anything, so even
 * markup that slipped through could not run or call out. Every value from the tenant is escaped by
 * the `html` tag. Each table shows at most `rowLimit` rows (the JSON has them all).
 */
export function renderReportHtml(f: ReportFindings, rowLimit = DEFAULT_ROW_LIMIT): string {
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Access review ${f.freshness.tenantId ?? ''} ${f.generatedAt.slice(0, 10)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${renderHeader(f)}
<main>
${renderSummary(f)}
${renderFreshness(f, rowLimit)}
${renderPrivileged(f, rowLimit)}
${renderDormant(f, rowLimit)}
${renderAccounts(f, rowLimit)}
${renderApps(f, rowLimit)}
${renderChanges(f, rowLimit)}
</main>
<footer>Made by entra-extract report from the effective access of the database (the view effective_relations), read in one read transaction. Nested group membership counts for every transitive member; a role or app role assigned to a group counts for its direct members only.</footer>
</body>
</html>
`;
  return page.value;
}
