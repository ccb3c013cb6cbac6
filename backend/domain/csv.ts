/**
 * One CSV field: quoted when it holds a quote, comma or line break; a text starting with = + - @
 * (or a tab or carriage return) is defused with a leading apostrophe, so a name typed by an admin
 * cannot run as a formula when BKD opens the export in a spreadsheet. Numbers are written as they are.
 */
export function csvField(v: string | number | boolean | null): string {
  let s = v === null ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
