/*
 * CSV for spreadsheets (RFC 4180 quoting). A cell a spreadsheet would read as
 * a formula (starting with = + - @, a tab or a carriage return) gets a leading
 * single quote, so a member named "=HYPERLINK(...)" stays text in Excel,
 * LibreOffice and Google Sheets.
 */

export const utf8Bom = "\uFEFF";

export type Delimiter = "," | ";";

export function neutralise(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvCell(value: string | number | boolean | null | undefined, delimiter: Delimiter = ","): string {
  const text = neutralise(value === null || value === undefined ? "" : String(value));
  const needsQuotes = text.includes(delimiter) || /["\r\n]/.test(text) || /^\s|\s$/.test(text);
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: (string | number | boolean | null | undefined)[], delimiter: Delimiter = ","): string {
  return cells.map((v) => csvCell(v, delimiter)).join(delimiter) + "\r\n";
}

/** Parses CSV text back into rows (used by tests and, later, imports). */
export function parseCsv(text: string, delimiter: Delimiter = ","): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = text.startsWith(utf8Bom) ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else if (ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
