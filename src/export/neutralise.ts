/**
 * The first characters that make a spreadsheet run a cell as a formula (or, for tab and carriage
 * return, hide one behind them): OWASP "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * A text cell a spreadsheet shows as the text it is: a leading single quote when the cell would
 * otherwise start a formula (the OWASP recommendation; Excel and LibreOffice hide the quote).
 * Every text column goes through this; JSON columns do not (see schemas/export.md).
 */
export function neutralise(cell: string): string {
  return cell.length > 0 && FORMULA_START.has(cell[0]!) ? `'${cell}` : cell;
}
