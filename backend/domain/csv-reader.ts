/**
 * Reading CSV as admins produce it (RFC 4180 quoting, fields with line breaks, a UTF-8 byte order
 * mark, CRLF or LF; Excel in an Indonesian locale writes `;` between fields, so the delimiter is
 * taken from the header line). Every record keeps the line number it starts on, so an import can
 * name the line of each error as the admin sees it in an editor.
 */

export type CsvRecord = { line: number; fields: string[] };
export type CsvParseError = { line: number; message: string };
export type CsvTable = {
  delimiter: ',' | ';';
  header: string[];
  records: CsvRecord[];
  errors: CsvParseError[];
};

/** `;` when the header line has more semicolons than commas outside quotes, else `,`. */
export function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

type Scan = { fields: string[]; field: string; quoted: boolean; afterQuote: boolean; line: number };

/**
 * Splits the text into records. A record whose quote never closes is reported at the line it
 * started on and ends the table (nothing after it can be trusted). Blank lines are skipped.
 */
export function parseCsv(input: string): CsvTable {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const records: CsvRecord[] = [];
  const errors: CsvParseError[] = [];
  let line = 1;
  let start = 1;
  const s: Scan = { fields: [], field: '', quoted: false, afterQuote: false, line: 1 };
  const endRecord = () => {
    s.fields.push(s.field);
    const blank = s.fields.length === 1 && s.fields[0] === '';
    if (!blank) records.push({ line: start, fields: s.fields });
    s.fields = [];
    s.field = '';
    s.afterQuote = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (s.quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        s.field += '"';
        i++;
      } else if (ch === '"') {
        s.quoted = false;
        s.afterQuote = true;
      } else {
        if (ch === '\n') line++;
        s.field += ch;
      }
      continue;
    }
    if (ch === '"' && s.field === '' && !s.afterQuote) s.quoted = true;
    else if (ch === delimiter) {
      s.fields.push(s.field);
      s.field = '';
      s.afterQuote = false;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else if (!s.afterQuote) s.field += ch;
    else if (ch !== ' ' && ch !== '\t') {
      errors.push({ line, message: `text after a closing quote on line ${line}` });
      s.afterQuote = false;
      s.field += ch;
    }
  }
  if (s.quoted) errors.push({ line: start, message: `a quote opened on line ${start} never closes` });
  else if (s.field !== '' || s.fields.length > 0) endRecord();
  const [head, ...rest] = records;
  return {
    delimiter,
    header: (head?.fields ?? []).map((h) => h.trim()),
    records: rest,
    errors,
  };
}

/** The records as objects keyed by header name; cells are trimmed, empty cells left out. */
export function recordObjects(table: CsvTable): { line: number; values: Record<string, string> }[] {
  return table.records.map((r) => {
    const values: Record<string, string> = {};
    table.header.forEach((h, i) => {
      const v = (r.fields[i] ?? '').trim();
      if (h && v !== '') values[h] = v;
    });
    return { line: r.line, values };
  });
}
