import { describe, expect, it } from 'vitest';
import { csvField } from '../../backend/domain/csv.ts';
import { detectDelimiter, parseCsv, recordObjects } from '../../backend/domain/csv-reader.ts';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes and line breaks inside quotes, keeping each record’s line', () => {
    const t = parseCsv('nip,name\r\n1,"Siti ""Ani"" Rahma"\r\n2,"Budi\nSantoso"\n3,Cici\n');
    expect(t.header).toEqual(['nip', 'name']);
    expect(t.records).toEqual([
      { line: 2, fields: ['1', 'Siti "Ani" Rahma'] },
      { line: 3, fields: ['2', 'Budi\nSantoso'] },
      { line: 5, fields: ['3', 'Cici'] },
    ]);
    expect(t.errors).toEqual([]);
  });

  it('takes `;` from the header as Excel writes it in an Indonesian locale, and drops the BOM', () => {
    const t = parseCsv('\uFEFFnip;nama;kelas\n1;"Dewi, S.Pd";9\n');
    expect(t.delimiter).toBe(';');
    expect(t.header).toEqual(['nip', 'nama', 'kelas']);
    expect(t.records[0]?.fields).toEqual(['1', 'Dewi, S.Pd', '9']);
    expect(detectDelimiter('"a;b",c\n')).toBe(',');
  });

  it('skips blank lines and reads a last record without a line break', () => {
    const t = parseCsv('nip,name\n\n1,A\n\n2,B');
    expect(t.records.map((r) => [r.line, r.fields[1]])).toEqual([
      [3, 'A'],
      [5, 'B'],
    ]);
  });

  it('names the line where a quote opens and never closes', () => {
    const t = parseCsv('nip,name\n1,A\n2,"B\n3,C\n');
    expect(t.records.map((r) => r.line)).toEqual([2]);
    expect(t.errors).toEqual([{ line: 3, message: 'a quote opened on line 3 never closes' }]);
  });

  it('reports text after a closing quote', () => {
    const t = parseCsv('nip,name\n1,"A"x\n');
    expect(t.errors[0]).toMatchObject({ line: 2 });
    expect(t.records[0]?.fields).toEqual(['1', 'Ax']);
  });

  it('reads back what csvField writes', () => {
    const values = ['plain', 'a,b', 'say "hi"', 'two\nlines', '=SUM(A1)'];
    const t = parseCsv(`h1,h2,h3,h4,h5\n${values.map(csvField).join(',')}\n`);
    expect(t.records[0]?.fields).toEqual(['plain', 'a,b', 'say "hi"', 'two\nlines', "'=SUM(A1)"]);
  });
});

describe('recordObjects', () => {
  it('keys cells by header, trims them and leaves empty cells out', () => {
    const t = parseCsv('nip, name ,unitId\n 1 , Ani ,\n');
    expect(recordObjects(t)).toEqual([{ line: 2, values: { nip: '1', name: 'Ani' } }]);
  });
});
