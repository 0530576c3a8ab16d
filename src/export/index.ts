export { runExport, EXPORT_FILES, EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportReport, type ExportFileReport } from './run-export.js';
export { ExportError } from './export-error.js';
export { ACCESS_FILE, ACCESS_HEADER } from './access-expansion.js';
export { ENTITIES_FILE, RELATIONS_FILE, ENTITY_HEADER, RELATION_HEADER, APP, ENTITY_CATEGORY } from './balkanid-format.js';
export { PATHS_CAP } from './group-closure.js';
export { describeStale, type StaleCollection, type RunSummary } from './run-facts.js';
